using System.Net;
using System.Net.Http.Json;
using Ingestion.Api.Credentials;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sensors360.Contracts;
using CredentialCache = Ingestion.Api.Credentials.CredentialCache;

namespace Ingestion.Api.Tests.Credentials;

/// <summary>How often the API asks the registry about keys it does not know: the answers come from a stand-in registry.</summary>
public sealed class CredentialLookupTests
{
    /// <summary>Knows one sensor key; counts every question; can hold answers back until released.</summary>
    sealed class Registry : HttpMessageHandler, IHttpClientFactory
    {
        public const string KnownKey = "s360s_known";
        int _questions;
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Hold { get; init; }
        public int Questions => Volatile.Read(ref _questions);

        public HttpClient CreateClient(string name) => new(this, disposeHandler: false) { BaseAddress = new("http://registry") };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _questions);
            if (Hold)
            {
                await Release.Task.WaitAsync(cancellationToken);
            }
            return request.RequestUri!.AbsolutePath == $"/internal/credentials/keys/{ApiKeys.Hash(KnownKey)}"
                ? new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = JsonContent.Create(new KeyCredential(new SensorCredential(7, ApiKeys.Hash(KnownKey), null, new Dictionary<string, string>()), null)),
                }
                : new HttpResponseMessage(HttpStatusCode.NotFound);
        }
    }

    static (CredentialLookup Lookup, CredentialCache Cache) Create(Registry registry, int perSecond = 20)
    {
        var cache = new CredentialCache(TimeProvider.System);
        var options = Options.Create(new IngestionOptions { KeyLookupsPerSecond = perSecond });
        return (new CredentialLookup(registry, cache, options, TimeProvider.System, NullLogger<CredentialLookup>.Instance), cache);
    }

    [Fact]
    public async Task A_key_the_registry_knows_is_added_to_the_cache()
    {
        using var registry = new Registry();
        var (lookup, cache) = Create(registry);

        Assert.True(await lookup.TryAddKeyAsync(KeyDigest.OfKey(Registry.KnownKey), CancellationToken.None));

        Assert.Equal(7, cache.Current.FindSensorByKey(KeyDigest.OfKey(Registry.KnownKey))?.SensorId);
    }

    [Fact]
    public async Task Made_up_keys_cost_the_registry_no_more_questions_a_second_than_the_budget()
    {
        using var registry = new Registry();
        var (lookup, _) = Create(registry, perSecond: 5);

        var answers = await Task.WhenAll(Enumerable.Range(0, 200)
            .Select(i => lookup.TryAddKeyAsync(KeyDigest.OfKey($"s360s_made-up-{i}"), CancellationToken.None).AsTask()));

        Assert.All(answers, Assert.False);
        Assert.InRange(registry.Questions, 1, 5);
    }

    [Fact]
    public async Task A_key_found_unknown_is_not_asked_about_again_at_once()
    {
        using var registry = new Registry();
        var (lookup, _) = Create(registry);
        var digest = KeyDigest.OfKey("s360s_unknown");

        Assert.False(await lookup.TryAddKeyAsync(digest, CancellationToken.None));
        Assert.False(await lookup.TryAddKeyAsync(digest, CancellationToken.None));

        Assert.Equal(1, registry.Questions);
    }

    [Fact]
    public async Task Requests_with_the_same_unknown_key_at_the_same_time_share_one_question()
    {
        using var registry = new Registry { Hold = true };
        var (lookup, _) = Create(registry);
        var digest = KeyDigest.OfKey(Registry.KnownKey);

        var waiting = Enumerable.Range(0, 50).Select(_ => lookup.TryAddKeyAsync(digest, CancellationToken.None).AsTask()).ToArray();
        registry.Release.SetResult();

        Assert.All(await Task.WhenAll(waiting), Assert.True);
        Assert.Equal(1, registry.Questions);
    }

    [Fact]
    public async Task With_a_budget_of_zero_the_registry_is_never_asked()
    {
        using var registry = new Registry();
        var (lookup, _) = Create(registry, perSecond: 0);

        Assert.False(await lookup.TryAddKeyAsync(KeyDigest.OfKey(Registry.KnownKey), CancellationToken.None));

        Assert.Equal(0, registry.Questions);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Alerting.Service.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sensors360.TestSupport;

namespace Alerting.Service.Tests;

public sealed class SecretUrlTracingTests
{
    const string SecretPath = "/services/T000/B000/channel-secret?token=abc";

    [Fact]
    public async Task Deliveries_are_traced_by_host_only_while_other_clients_keep_the_whole_url()
    {
        var port = Ports.Free();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var receiver = receiverBuilder.Build();
        receiver.MapPost("/{**path}", () => TypedResults.Ok());
        await receiver.StartAsync();

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alerting:Webhooks:AllowHttp"] = "true",
            ["Alerting:Webhooks:AllowedNetworks:0"] = "127.0.0.0/8",
        });
        builder.AddServiceDefaults();
        builder.AddWebhooks();
        builder.Services.AddHttpClient("plain");
        using var host = builder.Build();
        await host.StartAsync();

        var traced = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // This test's requests only: another test's client may be tracing in parallel.
                if (activity.Kind == ActivityKind.Client && activity.GetTagItem("server.port") is int p && p == port)
                {
                    traced.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var clients = host.Services.GetRequiredService<IHttpClientFactory>();
        var target = new Uri($"http://127.0.0.1:{port}{SecretPath}");
        foreach (var name in new[] { WebhookSender.HttpClientName, "plain" })
        {
            using var response = await clients.CreateClient(name)
                .PostAsync(target, new StringContent("{}"));
            response.EnsureSuccessStatusCode();
        }

        var urls = traced.Select(activity => (string)activity.GetTagItem("url.full")!).ToList();
        Assert.Equal(2, urls.Count);
        Assert.Equal($"http://127.0.0.1:{port}{SecretUrlTracing.HiddenPath}", urls[0]);
        // The other client's trace shows the path: the capture above sees what an exporter would.
        Assert.Contains("channel-secret", urls[1], StringComparison.Ordinal);
        await host.StopAsync();
    }
}

using System.Diagnostics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Some outgoing URLs are secrets themselves: a Slack or classic Teams channel's address is all it takes to post there,
/// and a webhook target's may carry a token. A client marked here is traced with the scheme and host of each request
/// only; its requests' paths and queries never reach a trace.
/// </summary>
public static class SecretUrlTracing
{
    /// <summary>What a marked client's requests show as their path in <c>url.full</c>.</summary>
    public const string HiddenPath = "/REDACTED";

    static readonly HttpRequestOptionsKey<bool> SecretUrl = new("Sensors360.SecretUrl");

    public static IHttpClientBuilder TraceUrlsByHostOnly(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler(() => new MarkSecretUrls());

    /// <summary>Run by the HTTP client instrumentation once it has tagged a request's activity.</summary>
    internal static void HideSecretUrl(Activity activity, HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(SecretUrl, out var secret) && secret && request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            activity.SetTag("url.full", uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) + HiddenPath);
        }
    }

    sealed class MarkSecretUrls : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Options.Set(SecretUrl, true);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

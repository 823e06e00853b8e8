using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Alerting.Service.Webhooks;

public static class WebhookExtensions
{
    /// <summary>Options, the sender's HTTP client and its retry pipeline. The consumer is added with the bus.</summary>
    public static TBuilder AddWebhooks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddValidatedOptions<WebhookOptions>(WebhookOptions.Section);

        builder.Services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services =>
            {
                var networks = WebhookNetworks.From(services.GetRequiredService<IOptions<WebhookOptions>>().Value);
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    // The address is checked where the connection is made; through a proxy it would be the proxy's.
                    UseProxy = false,
                    ConnectCallback = networks.ConnectAsync,
                };
            })
            // Targets are outside addresses and the retries are ours (WebhookOptions.Timeout limits each attempt):
            // drop the handlers ServiceDefaults gives every client, the standard resilience handler (which would
            // retry on its own) and service discovery (which would resolve a target named like an internal service).
            .ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Clear())
            // A chat channel's URL is its secret (and a webhook's may hold a token): the client's own request logging
            // would write it whole, and traces would hold it. Failures are recorded by the senders, by host only
            // where it matters.
            .RemoveAllLoggers()
            .TraceUrlsByHostOnly();

        builder.Services.AddResiliencePipeline<string, DeliveryAttempt>(WebhookSender.PipelineName, (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value;
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            if (options.MaxAttempts > 1)
            {
                pipeline.AddRetry(new RetryStrategyOptions<DeliveryAttempt>
                {
                    MaxRetryAttempts = options.MaxAttempts - 1,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = false,
                    Delay = options.FirstRetryDelay,
                    MaxDelay = options.MaxRetryDelay,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Retryable: true }),
                });
            }
        });

        builder.Services.AddSingleton<WebhookSender>();
        return builder;
    }
}

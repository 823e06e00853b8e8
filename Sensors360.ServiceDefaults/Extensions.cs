using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Sensors 360 service shares: telemetry, health endpoints, service discovery and HTTP resilience.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    // Npgsql's ActivitySource; MassTransit's is "MassTransit" (see MessagingExtensions).
    static readonly string[] TracingSources = ["MassTransit", "Npgsql"];
    /// <summary>The meter of what the product itself does (heartbeats stored, transitions, alerts…): docs/architecture.md#product-metrics.</summary>
    public const string ProductMeter = "Sensors360";

    static readonly string[] MeterNames = ["MassTransit", "Npgsql", ProductMeter];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MeterNames))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TracingSources)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes hit every few seconds; tracing them buries the traces that matter. The broker's MQTT
                    // sign-in questions carry its key in the path (it cannot send headers), which no trace may hold.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath)
                        && !context.Request.Path.StartsWithSegments(Sensors360.Contracts.ServiceCallers.BrokerAuthPath))
                .AddHttpClientInstrumentation(options => options.EnrichWithHttpRequestMessage = SecretUrlTracing.HideSecretUrl));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: every registered check (database, broker, ...) — ready to serve.
    /// <c>/alive</c>: only the process itself — restart me if this fails.
    /// Both answer anyone with the overall status; a caller that proved who it is (a service key, an operator, a
    /// sensor's key) also gets each check by name, so an operator sees which dependency is failing.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Probes (the AppHost, an orchestrator) carry no credentials: the two paths answer anyone.
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync })
            .AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("live"),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Unhandled errors and bare status codes answer RFC 9457 problem+json. <paramref name="hsts"/>: the service is
    /// reached by browsers or sensors directly, so when it has a certificate, and always outside Development, it tells
    /// them to stay on HTTPS (on HTTPS answers; ASP.NET leaves out localhost and loopback addresses).
    /// </summary>
    public static WebApplication UseProblemResponses(this WebApplication app, bool hsts = false)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (hsts && (app.Configuration.HasCertificate() || !app.Environment.IsDevelopment()))
        {
            app.UseHsts();
        }
        return app;
    }
}

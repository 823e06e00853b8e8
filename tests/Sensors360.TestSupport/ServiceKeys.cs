using System.Net.Http.Headers;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Hosting;
using Sensors360.Contracts;

namespace Sensors360.TestSupport;

/// <summary>
/// The service keys every started system is given (instead of generated ones), so tests and the bench can call the
/// services behind the front doors the way the gateway, the ingestion API and the simulator do.
/// </summary>
public static class ServiceKeys
{
    public const string Gateway = "test-service-key-of-the-gateway";
    public const string Ingestion = "test-service-key-of-the-ingestion-api";
    public const string Simulator = "test-service-key-of-the-simulator";
    public const string AppHost = "test-service-key-of-the-apphost";

    public static string[] AppHostArguments =>
    [
        $"--Parameters:service-key-{ServiceCallers.Gateway}={Gateway}",
        $"--Parameters:service-key-{ServiceCallers.Ingestion}={Ingestion}",
        $"--Parameters:service-key-{ServiceCallers.Simulator}={Simulator}",
        $"--Parameters:service-key-{ServiceCallers.AppHost}={AppHost}",
    ];

    /// <summary>A client of Monitor.Worker's API that calls as the gateway does (on behalf of an operator).</summary>
    public static HttpClient CreateWorkerClient(this DistributedApplication app) =>
        app.CreateHttpClient("monitor-worker").WithServiceKey(Gateway);

    /// <summary>A client of Alerting.Service's API (webhooks, alert channels) that calls as the gateway does.</summary>
    public static HttpClient CreateAlertingClient(this DistributedApplication app) =>
        app.CreateHttpClient("alerting-service").WithServiceKey(Gateway);

    /// <summary>Sends <paramref name="key"/> on every request of <paramref name="http"/>, as a Sensors 360 service does.</summary>
    public static HttpClient WithServiceKey(this HttpClient http, string key)
    {
        http.DefaultRequestHeaders.Authorization = Header(key);
        return http;
    }

    /// <summary>The <c>Authorization</c> header a service sends with <paramref name="key"/>.</summary>
    public static AuthenticationHeaderValue Header(string key) => AuthenticationHeaderValue.Parse(ServiceAuthentication.HeaderValue(key));
}

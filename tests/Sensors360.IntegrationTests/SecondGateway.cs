using System.Net;
using Sensors360.AppHost.Infrastructure;

namespace Sensors360.IntegrationTests;

/// <summary>A second Realtime.Gateway process on the same database, broker and monitor as the AppHost's.</summary>
public sealed class SecondGateway : IDisposable
{
    readonly ChildProcess _process;

    SecondGateway(ChildProcess process, Uri baseAddress) => (_process, BaseAddress) = (process, baseAddress);

    public Uri BaseAddress { get; }

    public static async Task<SecondGateway> StartAsync(DistributedApplication app)
    {
        var port = Ports.Free();
        var process = ChildProcess.StartDotnet(BuiltProjects.AssemblyOf(new Projects.Realtime_Gateway()), new Dictionary<string, string?>
        {
            // A replica signs in as the service does.
            ["ConnectionStrings__sensorsdb"] = await app.GetConnectionStringAsync(ServiceAccess.GatewayDatabase.ResourceName),
            ["ConnectionStrings__messaging"] = await app.GetConnectionStringAsync(ServiceAccess.GatewayBroker.ResourceName),
            ["services__monitor-worker__http__0"] = app.GetEndpoint("monitor-worker", "http").ToString(),
            ["services__dashboard-web__http__0"] = app.GetEndpoint("dashboard-web", "http").ToString(),
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Gateway__AdminPassword"] = SensorsApp.AdminPassword,
            ["ServiceAuth__Key"] = ServiceKeys.Gateway,
        });
        var gateway = new SecondGateway(process, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var healthy = await Poll.UntilAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync("/health");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
        if (!healthy)
        {
            gateway.Dispose();
            Assert.Fail("The second gateway never became healthy:\n" + string.Join("\n", process.Output.TakeLast(40)));
        }
        return gateway;
    }

    public void Dispose() => _process.Dispose();
}

namespace Sensors360.EndToEndTests;

/// <summary>
/// A plausible fleet for the README's pictures (only when SENSORS360_SCREENSHOTS_DIR is set): 30 sensors across three
/// sites, most of them up with hours of history, some late, some down, a few never heard and two retired.
/// </summary>
public static class DemoFleet
{
    static readonly string[] Kinds = ["boiler", "pump", "chiller", "air-handler", "meter", "valve"];
    static readonly string[] Sites = ["north", "south", "west"];

    public static async Task RegisterAsync(SystemApi api)
    {
        var work = new List<Task>();
        for (var i = 0; i < 30; i++)
        {
            var kind = Kinds[i % Kinds.Length];
            var site = Sites[i % Sites.Length];
            var tag = $"{kind}-{site}-{i / Kinds.Length + 1}";
            var labels = new Dictionary<string, string> { ["site"] = site, ["kind"] = kind, ["rack"] = $"{i % 4 + 1}" };
            work.Add(i switch
            {
                < 18 => SteadyAsync(api, tag, labels, i),
                < 22 => LateAsync(api, tag, labels, i),
                < 26 => DownAsync(api, tag, labels, i),
                < 28 => api.RegisterSteadyAsync(tag, labels),
                _ => RetiredAsync(api, tag, labels, i),
            });
        }
        await Task.WhenAll(work);
    }

    // Every 5 minutes for the last 6 hours.
    static async Task SteadyAsync(SystemApi api, string tag, object labels, int seed)
    {
        var sensor = await api.RegisterAsync(tag, labels, expectedIntervalSeconds: 300, graceSeconds: 60, staleAfterSeconds: 3600);
        await api.PostUntilAcceptedAsync(sensor, SystemApi.History(72, TimeSpan.FromMinutes(5), seed));
    }

    // Expected every second: late a second after its heartbeats, and down only after an hour.
    static async Task LateAsync(SystemApi api, string tag, object labels, int seed)
    {
        var sensor = await api.RegisterAsync(tag, labels, expectedIntervalSeconds: 1, graceSeconds: 0, staleAfterSeconds: 3600);
        await api.PostUntilAcceptedAsync(sensor, SystemApi.History(60, TimeSpan.FromSeconds(1), seed));
    }

    // The tests' defaults: down 3 s after its heartbeats.
    static async Task DownAsync(SystemApi api, string tag, object labels, int seed)
    {
        var sensor = await api.RegisterAsync(tag, labels);
        await api.PostUntilAcceptedAsync(sensor, SystemApi.History(40, TimeSpan.FromSeconds(1), seed));
    }

    static async Task RetiredAsync(SystemApi api, string tag, object labels, int seed)
    {
        var sensor = await api.RegisterAsync(tag, labels, expectedIntervalSeconds: 300, graceSeconds: 60, staleAfterSeconds: 3600);
        await api.PostUntilAcceptedAsync(sensor, SystemApi.History(30, TimeSpan.FromMinutes(5), seed));
        await api.WaitForStateAsync(sensor.Id, "up", TimeSpan.FromSeconds(10));
        await api.RetireAsync(sensor.Id);
    }
}

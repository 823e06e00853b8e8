using System.Diagnostics;
using System.Net.WebSockets;

namespace Sensors360.IntegrationTests.Reliability;

[Collection(FaultsCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class GatewayRestartTests(FaultsFixture fixture)
{
    static readonly TimeSpan Resync = TimeSpan.FromSeconds(10);
    static readonly TimeSpan FrameTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task After_a_gateway_restart_a_WebSocket_client_reconnects_and_gets_a_fresh_snapshot_within_10_seconds()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var app = fixture.App;
        var gateway = Gateway.BaseAddress(app);
        // An API token is stored in the database, so it outlives the gateway process.
        var (_, token) = await Gateway.CreateApiTokenAsync(app, "Viewer");
        void Bearer(ClientWebSocketOptions options) => options.SetRequestHeader("Authorization", $"Bearer {token}");

        TimeSpan closedAfter, back, resync, outage;
        try
        {
            var stopping = Stopwatch.StartNew();
            using (var socket = await Gateway.ConnectAsync(gateway, Bearer, cts.Token))
            {
                await Gateway.ReceiveUntilAsync(socket, (type, _) => type == "snapshot", FrameTimeout);
                stopping.Restart();
                var stop = fixture.StopAsync("realtime-gateway", cts.Token);
                await WaitUntilClosedAsync(socket, cts.Token);
                closedAfter = stopping.Elapsed;
                await stop;
            }

            // "Back" is the gateway answering /health 200 again; its boot time under `dotnet run` on a busy machine
            // is the orchestrator's, not the client's. The client retries every 250 ms, as the dashboard does at first.
            var restart = Stopwatch.StartNew();
            var start = fixture.StartAsync("realtime-gateway", cts.Token);
            var healthy = FirstHealthyAsync(gateway, restart, cts.Token);
            using var resynced = await ReconnectAsync(gateway, Bearer, cts.Token);
            await Gateway.ReceiveUntilAsync(resynced, (type, _) => type == "hello", FrameTimeout);
            await Gateway.ReceiveUntilAsync(resynced, (type, _) => type == "snapshot", FrameTimeout);
            var resynchronized = restart.Elapsed;
            back = await healthy;
            resync = resynchronized - back;
            outage = stopping.Elapsed;
            await start;
        }
        finally
        {
            await fixture.RestoreAsync("realtime-gateway");
        }

        var met = resync < Resync;
        ScenarioResults.Record(new(
            "Realtime.Gateway restarted with a WebSocket client connected (API token, retrying every 250 ms)",
            "The client sees the socket close, reconnects and has hello + a fresh snapshot within 10 s of the gateway being back",
            $"socket closed {closedAfter.TotalSeconds:0.0} s after the stop began; gateway back (/health 200) {back.TotalSeconds:0.0} s after its start began; " +
            $"hello + snapshot {resync.TotalSeconds:0.0} s after that ({outage.TotalSeconds:0.0} s without a live stream in all)",
            Met: met));
        Assert.True(met, $"resynchronized {resync.TotalSeconds:0.0} s after the gateway was back");
    }

    [Fact]
    public async Task A_client_that_never_answers_the_close_does_not_hold_up_the_gateway_stop()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var (_, token) = await Gateway.CreateApiTokenAsync(fixture.App, "Viewer");
        TimeSpan stopped;
        try
        {
            using var socket = await Gateway.ConnectAsync(Gateway.BaseAddress(fixture.App),
                options => options.SetRequestHeader("Authorization", $"Bearer {token}"), cts.Token);
            await Gateway.ReceiveUntilAsync(socket, (type, _) => type == "snapshot", FrameTimeout);
            // From here on the client reads nothing, so it never sees, let alone answers, the gateway's close.
            var clock = Stopwatch.StartNew();
            await fixture.StopAsync("realtime-gateway", cts.Token);
            stopped = clock.Elapsed;
        }
        finally
        {
            await fixture.RestoreAsync("realtime-gateway");
        }
        Assert.True(stopped < TimeSpan.FromSeconds(10), $"the gateway took {stopped.TotalSeconds:0.0} s to stop");
    }

    static async Task<TimeSpan> FirstHealthyAsync(Uri gateway, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return clock.Elapsed;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    static async Task WaitUntilClosedAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while ((await socket.ReceiveAsync(buffer, cancellationToken)).MessageType != WebSocketMessageType.Close)
            {
            }
            // Answer the close as browsers do; the gateway's shutdown waits for the handshake to complete.
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
        }
        catch (WebSocketException)
        {
            // the connection dropped without a close frame: just as closed for the client
        }
    }

    static async Task<ClientWebSocket> ReconnectAsync(Uri gateway, Action<ClientWebSocketOptions> configure, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await Gateway.ConnectAsync(gateway, configure, cancellationToken);
            }
            catch (WebSocketException)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sensors360.Messaging;
using Sensors360.TestSupport;

namespace Ingestion.Api.Tests.Backlog;

/// <summary>
/// The probe when it cannot read: real sockets that are not a broker. Reading a real broker (counts, a missing
/// queue, a broker restart) is in the integration tests' BackpressureTests.
/// </summary>
public sealed class HeartbeatBacklogProbeTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    static HeartbeatBacklog Probe(int port) => new(
        BrokerAddress.Parse($"amqp://guest:guest@127.0.0.1:{port}"),
        Options.Create(new HeartbeatBacklogOptions { ProbePeriod = TimeSpan.FromMilliseconds(50), ReadTimeout = TimeSpan.FromMilliseconds(500) }),
        TimeProvider.System, NullLogger<HeartbeatBacklog>.Instance);

    static Task<bool> EventuallyAsync(Func<bool> condition) =>
        Poll.UntilAsync(() => Task.FromResult(condition()), Deadline, TimeSpan.FromMilliseconds(20));

    [Fact]
    public void Before_its_first_reading_the_backlog_is_unknown()
    {
        using var probe = Probe(ClosedPort());

        Assert.Equal(BacklogState.NotReadYet, probe.Current.State);
        Assert.Null(probe.ReadyMessages);
        Assert.Null(probe.ReadAt);
    }

    [Fact]
    public async Task With_nothing_listening_the_backlog_is_unknown_and_the_probe_neither_throws_nor_stops()
    {
        using var probe = Probe(ClosedPort());

        await probe.StartAsync(CancellationToken.None);
        Assert.True(await EventuallyAsync(() => probe.Current.State == BacklogState.Unreachable), $"state {probe.Current.State}");

        var reading = probe.Current;
        Assert.Null(reading.ReadyMessages);
        Assert.Null(reading.ReadAt);
        Assert.StartsWith("RabbitMQ is unreachable", reading.Problem);
        Assert.False(probe.ExecuteTask!.IsCompleted, "the probe stopped after a failed reading");
        await probe.StopAsync(CancellationToken.None);
        Assert.True(probe.ExecuteTask.IsCompletedSuccessfully, $"the probe ended {probe.ExecuteTask.Status}");
    }

    [Fact]
    public async Task A_server_that_hangs_up_is_tried_again_every_period_over_a_new_connection()
    {
        // Accepts TCP and closes it at once: the AMQP handshake fails every time.
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var accepted = 0;
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await server.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref accepted);
            }
        });
        using var probe = Probe(((IPEndPoint)server.LocalEndpoint).Port);

        await probe.StartAsync(CancellationToken.None);
        Assert.True(await EventuallyAsync(() => Volatile.Read(ref accepted) >= 3), $"{accepted} connection attempts");

        Assert.Equal(BacklogState.Unreachable, probe.Current.State);
        Assert.Null(probe.ReadyMessages);
        await probe.StopAsync(CancellationToken.None);
        Assert.True(probe.ExecuteTask!.IsCompletedSuccessfully);
        await StopServingAsync(stop, serving);
    }

    [Fact]
    public async Task A_server_that_never_answers_makes_the_backlog_unknown_after_the_read_timeout_not_never()
    {
        // Accepts TCP and says nothing: the probe must give up on its own, not wait forever on a count.
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var held = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                held.Add(await server.AcceptTcpClientAsync(stop.Token));
            }
        });
        using var probe = Probe(((IPEndPoint)server.LocalEndpoint).Port);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await probe.StartAsync(CancellationToken.None);
        Assert.True(await EventuallyAsync(() => probe.Current.State == BacklogState.Unreachable), $"state {probe.Current.State}");

        // The read timeout (500 ms), then RabbitMQ.Client's own 5 s wait for the half-open connection to close.
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
        Assert.Equal("RabbitMQ did not answer within 0.5 s", probe.Current.Problem);
        Assert.Null(probe.ReadyMessages);
        // Hang up first, so the attempt under way fails at once instead of taking its 5 s to stop.
        await StopServingAsync(stop, serving);
        held.ForEach(client => client.Dispose());
        await probe.StopAsync(CancellationToken.None);
        Assert.True(probe.ExecuteTask!.IsCompletedSuccessfully);
    }

    [Fact]
    public void Probe_periods_outside_50_ms_to_10_minutes_and_read_timeouts_outside_100_ms_to_1_minute_fail_validation()
    {
        Assert.False(Valid(new HeartbeatBacklogOptions { ProbePeriod = TimeSpan.FromMilliseconds(10) }));
        Assert.False(Valid(new HeartbeatBacklogOptions { ProbePeriod = TimeSpan.FromHours(1) }));
        Assert.False(Valid(new HeartbeatBacklogOptions { ReadTimeout = TimeSpan.Zero }));
        Assert.False(Valid(new HeartbeatBacklogOptions { ReadTimeout = TimeSpan.FromMinutes(2) }));
        Assert.True(Valid(new HeartbeatBacklogOptions()));
        Assert.Equal(TimeSpan.FromSeconds(1), new HeartbeatBacklogOptions().ProbePeriod);
        Assert.Equal(TimeSpan.FromSeconds(5), new HeartbeatBacklogOptions().ReadTimeout);
    }

    static bool Valid(object options) => System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
        options, new(options), null, validateAllProperties: true);

    static async Task StopServingAsync(CancellationTokenSource stop, Task serving)
    {
        await stop.CancelAsync();
        try
        {
            await serving;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A port nothing listens on: bound by the system, then released.</summary>
    static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

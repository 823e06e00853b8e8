using Microsoft.Extensions.Options;
using Sensors360.Simulator.Api;
using Sensors360.Simulator.Fleet;

namespace Sensors360.Simulator.Demo;

/// <param name="Reused">Every sensor was registered by an earlier run, so its key is known to have been valid.</param>
public sealed record ProvisionedFleet(SimulatedFleet Fleet, bool Reused);

/// <summary>A failure that retrying cannot fix; reported without a stack trace.</summary>
public sealed class SimulatorException(string message) : Exception(message);

/// <summary>Loads the fleet from the fleet file, or scripts a new one, and registers whatever is not registered yet.</summary>
public sealed class FleetProvisioner(
    RegistryClient registry, FleetStore store, SimulatorState state, IOptions<SimulatorOptions> options, TimeProvider time,
    ILogger<FleetProvisioner> logger)
{
    // Saving after each registration would rewrite the whole file thousands of times; a crash loses at most this many
    // keys (those sensors then answer 409 and are dropped).
    private const int SaveEvery = 50;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly SimulatorOptions _options = options.Value;

    public async Task<ProvisionedFleet> EnsureFleetAsync(CancellationToken cancellationToken)
    {
        var fleet = store.Load();
        if (fleet is null)
        {
            fleet = FleetPlanner.Create(_options, FleetPlanner.NewFleetId(), _options.Seed ?? Random.Shared.Next(), time.GetUtcNow());
            store.Save(fleet);
            logger.LogInformation("Created fleet {FleetId}: {Count} sensors, seed {Seed}, kept in {Path}.",
                fleet.FleetId, fleet.Sensors.Count, fleet.Seed, store.FilePath);
        }
        else
        {
            logger.LogInformation("Reusing fleet {FleetId} from {Path}: {Count} sensors, created {CreatedAt:O}.",
                fleet.FleetId, store.FilePath, fleet.Sensors.Count, fleet.CreatedAt);
            if (fleet.Sensors.Count != _options.SensorCount)
            {
                logger.LogWarning("The fleet has {Count} sensors, not Simulator:SensorCount={Configured}; delete {Path} for a new fleet of that size.",
                    fleet.Sensors.Count, _options.SensorCount, store.FilePath);
            }
        }

        var reused = fleet.Sensors.All(s => s.IsRegistered);
        if (!reused)
        {
            fleet = await RegisterMissingAsync(fleet, cancellationToken);
        }

        GroundTruthCsv.Write(store.DataDirectory, fleet);
        return new ProvisionedFleet(fleet, reused);
    }

    /// <summary>Forgets the fleet, so that the next <see cref="EnsureFleetAsync"/> registers a new one.</summary>
    public void Discard() => store.Delete();

    /// <summary>The registration request for a simulated sensor: its normal interval, and grace enough to absorb the jitter.</summary>
    public static RegisterSensorRequest RequestFor(SimulatedSensor sensor, SimulatorOptions options) => new(
        sensor.Tag, sensor.Labels, sensor.IntervalSeconds, (int)Math.Ceiling(sensor.IntervalSeconds * options.Jitter) + 5);

    private async Task<SimulatedFleet> RegisterMissingAsync(SimulatedFleet fleet, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            var (updated, unavailable) = await RegisterPassAsync(fleet, cancellationToken);
            fleet = updated;
            store.Save(fleet);
            if (unavailable is null)
            {
                logger.LogInformation("Fleet {FleetId}: {Count} sensors registered.", fleet.FleetId, fleet.Sensors.Count);
                return fleet;
            }

            logger.LogWarning("The registry is not available ({Detail}); retrying in {Delay}.", unavailable, delay);
            await Task.Delay(delay, time, cancellationToken);
            delay = delay * 2 > MaxRetryDelay ? MaxRetryDelay : delay * 2;
        }
    }

    /// <summary>One pass over the unregistered sensors; stops early when the registry is unavailable.</summary>
    /// <returns>The fleet with the new ids and keys (and without sensors whose tag was taken), and why the pass stopped early.</returns>
    private async Task<(SimulatedFleet Fleet, string? Unavailable)> RegisterPassAsync(SimulatedFleet fleet, CancellationToken cancellationToken)
    {
        var sensors = fleet.Sensors.ToArray();
        var dropped = new bool[sensors.Length];
        var sync = new Lock();
        string? unavailable = null;
        var sinceSave = 0;
        var done = sensors.Count(s => s.IsRegistered);

        state.Activity = $"registering fleet {fleet.FleetId} ({done}/{sensors.Length})";
        var pending = Enumerable.Range(0, sensors.Length).Where(i => !sensors[i].IsRegistered);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(pending, parallel, async (index, token) =>
        {
            if (Volatile.Read(ref unavailable) is not null)
            {
                return;
            }

            var sensor = sensors[index];
            var result = await registry.RegisterAsync(RequestFor(sensor, _options), token);
            lock (sync)
            {
                switch (result.Status)
                {
                    case RegistrationStatus.Registered:
                        sensors[index] = sensor with { Id = result.Sensor!.Id, Key = result.Sensor.Key, RegisteredAt = time.GetUtcNow() };
                        break;
                    case RegistrationStatus.TagInUse:
                        // Registered by a run that crashed before saving its key: that sensor is lost to us.
                        logger.LogWarning("Dropping sensor {Tag}: {Detail}", sensor.Tag, result.Detail);
                        dropped[index] = true;
                        break;
                    case RegistrationStatus.Unavailable:
                        unavailable ??= result.Detail;
                        return;
                    default:
                        throw new SimulatorException($"The registry refused sensor {sensor.Tag}: {result.Detail}");
                }

                state.Activity = $"registering fleet {fleet.FleetId} ({++done}/{sensors.Length})";
                if (++sinceSave >= SaveEvery)
                {
                    sinceSave = 0;
                    store.Save(Snapshot(fleet, sensors, dropped));
                }
            }
        });

        return (Snapshot(fleet, sensors, dropped), unavailable);
    }

    private static SimulatedFleet Snapshot(SimulatedFleet fleet, SimulatedSensor[] sensors, bool[] dropped) =>
        fleet with { Sensors = sensors.Where((_, i) => !dropped[i]).ToArray() };
}

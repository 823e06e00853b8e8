using System.Globalization;
using System.Security.Cryptography;

namespace Sensors360.Simulator.Fleet;

/// <summary>Scripts a new fleet: tags, labels, intervals and fates, all derived from one seed.</summary>
public static class FleetPlanner
{
    private static readonly string[] Sites = ["north", "south", "east", "west", "harbour", "airport"];
    private static readonly string[] Kinds = ["boiler", "pump", "freezer", "meter", "door", "turbine"];

    // Stream ids, so that adding a draw for one purpose never shifts the numbers drawn for another.
    private const long FateStream = 1;
    private const long SensorStream = 2;

    /// <summary>A fresh random fleet id: 6 hex digits, independent of the seed so that a fixed seed still gets fresh tags.</summary>
    public static string NewFleetId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    public static string Tag(string fleetId, int number) => string.Create(CultureInfo.InvariantCulture, $"sim-{fleetId}-{number:0000}");

    public static SimulatedFleet Create(SimulatorOptions options, string fleetId, int seed, DateTimeOffset createdAt)
    {
        var fates = AssignFates(options, seed);
        var minSeconds = (int)Math.Ceiling(options.MinInterval.TotalSeconds);
        var maxSeconds = (int)Math.Floor(options.MaxInterval.TotalSeconds);

        var sensors = new SimulatedSensor[fates.Length];
        for (var i = 0; i < fates.Length; i++)
        {
            var number = i + 1;
            var random = StableRandom.For(seed, SensorStream, number);
            var interval = random.NextInt(minSeconds, maxSeconds + 1);
            var labels = new Dictionary<string, string>
            {
                ["site"] = Sites[random.NextInt(0, Sites.Length)],
                ["kind"] = Kinds[random.NextInt(0, Kinds.Length)],
                ["fleet"] = fleetId,
            };

            DateTimeOffset? degradeStart = null;
            DateTimeOffset? deathAt = null;
            switch (fates[i])
            {
                case SensorFate.Die:
                    deathAt = createdAt + options.DeathWindow * random.NextDouble();
                    break;
                case SensorFate.Degrade:
                    degradeStart = createdAt + options.DegradeOnsetWindow * random.NextDouble();
                    deathAt = degradeStart + options.DegradeDuration;
                    break;
            }

            sensors[i] = new SimulatedSensor(number, Tag(fleetId, number), labels, interval, fates[i], degradeStart, deathAt);
        }

        return new SimulatedFleet(fleetId, seed, createdAt, sensors);
    }

    /// <summary>
    /// Exactly round(share × count) sensors of each scripted fate (the later fates get what is left if rounding
    /// overshoots), shuffled by the seed, so a demo of 200 sensors has exactly 20 that die.
    /// </summary>
    public static SensorFate[] AssignFates(SimulatorOptions options, int seed)
    {
        var count = options.SensorCount;
        var fates = new SensorFate[count];
        var next = 0;
        foreach (var (fate, share) in new[] { (SensorFate.Die, options.DieShare), (SensorFate.Degrade, options.DegradeShare), (SensorFate.Flap, options.FlapShare) })
        {
            var take = Math.Min((int)Math.Round(share * count, MidpointRounding.AwayFromZero), count - next);
            fates.AsSpan(next, take).Fill(fate);
            next += take;
        }

        var random = StableRandom.For(seed, FateStream);
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.NextInt(0, i + 1);
            (fates[i], fates[j]) = (fates[j], fates[i]);
        }

        return fates;
    }
}

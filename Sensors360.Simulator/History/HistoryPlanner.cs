using System.Globalization;
using Sensors360.History;
using Sensors360.Simulator.Fleet;

namespace Sensors360.Simulator.History;

/// <summary>
/// Plans a fleet's history from a seed, without touching a database: each slot starts <see cref="HistoryOptions.FleetAgeDays"/>
/// before the window with a fresh sensor, which lives a Weibull lifetime and is replaced after a delay; and so on
/// until the end of the history. Decides each sensor's interval, failure mode, degradation and flapping.
/// </summary>
public static class HistoryPlanner
{
    private static readonly string[] Sites = ["north", "south", "east", "west", "harbour", "airport"];
    private static readonly string[] Kinds = ["boiler", "pump", "freezer", "meter", "door", "turbine"];

    public static string Tag(int seed, int slot, int generation) =>
        string.Create(CultureInfo.InvariantCulture, $"hist-{seed}-{slot:0000}-{generation}");

    /// <param name="firstId">The id of the first sensor installed; the others follow in installation order.</param>
    public static HistoryPlan Plan(HistoryOptions options, DateTimeOffset endAt, long firstId = 1)
    {
        var windowStart = endAt - options.Window;
        var drafts = new List<Draft>();
        for (var slot = 1; slot <= options.Slots; slot++)
        {
            PlanSlot(options, slot, windowStart - TimeSpan.FromDays(options.FleetAgeDays), endAt, drafts);
        }

        // Ids in installation order, as a registry hands them out.
        drafts.Sort((a, b) => a.InstalledAt != b.InstalledAt ? a.InstalledAt.CompareTo(b.InstalledAt) : a.Slot.CompareTo(b.Slot));
        var ids = new Dictionary<(int Slot, int Generation), long>(drafts.Count);
        for (var i = 0; i < drafts.Count; i++)
        {
            ids[(drafts[i].Slot, drafts[i].Generation)] = firstId + i;
        }

        var sensors = drafts.Select(d => d.ToSensor(options.Seed, ids)).ToArray();
        return new HistoryPlan(windowStart, endAt, sensors);
    }

    /// <summary>A Weibull-distributed lifetime (inverse transform).</summary>
    public static TimeSpan Lifetime(StableRandom random, double shape, double scaleDays) =>
        TimeSpan.FromDays(scaleDays * Math.Pow(-Math.Log(1 - random.NextDouble()), 1 / shape));

    private static void PlanSlot(HistoryOptions options, int slot, DateTimeOffset firstInstall, DateTimeOffset endAt, List<Draft> drafts)
    {
        var place = StableRandom.For(options.Seed, HistoryStreams.Slot, slot);
        var site = Sites[place.NextInt(0, Sites.Length)];
        var kind = Kinds[place.NextInt(0, Kinds.Length)];
        var minSeconds = (int)Math.Ceiling(options.MinInterval.TotalSeconds);
        var maxSeconds = (int)Math.Floor(options.MaxInterval.TotalSeconds);

        var installedAt = firstInstall;
        for (var generation = 1; installedAt <= endAt; generation++)
        {
            var life = StableRandom.For(options.Seed, HistoryStreams.Lifetime, slot, generation);
            var deathAt = installedAt + Lifetime(life, options.LifetimeShape, options.LifetimeScaleDays);
            var replacedAt = deathAt + life.NextTimeSpan(options.ReplaceDelayMin, options.ReplaceDelayMax);

            var sensor = StableRandom.For(options.Seed, HistoryStreams.Sensor, slot, generation);
            var interval = sensor.NextInt(minSeconds, maxSeconds + 1);
            var keyHash = string.Concat(Enumerable.Range(0, 4).Select(_ => sensor.NextUInt64().ToString("x16", CultureInfo.InvariantCulture)));

            var failure = StableRandom.For(options.Seed, HistoryStreams.Failure, slot, generation);
            DateTimeOffset? degradeStart = null;
            var factor = 1.0;
            if (failure.NextDouble() < options.WarningShare)
            {
                var onset = deathAt - TimeSpan.FromDays(options.DegradeMinDays + (options.DegradeMaxDays - options.DegradeMinDays) * failure.NextDouble());
                degradeStart = onset > installedAt ? onset : installedAt;
                factor = options.DegradeFactorMin + (options.DegradeFactorMax - options.DegradeFactorMin) * failure.NextDouble();
            }

            var flapping = StableRandom.For(options.Seed, HistoryStreams.Flapping, slot, generation).NextDouble() < options.FlapShare;

            drafts.Add(new Draft(slot, generation, site, kind, keyHash, interval, installedAt, deathAt, degradeStart, factor,
                replacedAt <= endAt ? replacedAt : null, flapping));
            installedAt = replacedAt;
        }
    }

    private sealed record Draft(
        int Slot, int Generation, string Site, string Kind, string KeyHash, int IntervalSeconds, DateTimeOffset InstalledAt,
        DateTimeOffset DeathAt, DateTimeOffset? DegradeStart, double DegradeFactor, DateTimeOffset? RetiredAt, bool Flapping)
    {
        public PlannedSensor ToSensor(int seed, Dictionary<(int Slot, int Generation), long> ids)
        {
            var labels = new Dictionary<string, string>
            {
                ["site"] = Site,
                ["kind"] = Kind,
                ["slot"] = Slot.ToString(CultureInfo.InvariantCulture),
                ["fleet"] = string.Create(CultureInfo.InvariantCulture, $"history-{seed}"),
            };
            return new PlannedSensor(
                ids[(Slot, Generation)], Slot, Generation, Tag(seed, Slot, Generation), labels, KeyHash, IntervalSeconds,
                InstalledAt, DeathAt, DegradeStart is null ? HistoryFailure.Sudden : HistoryFailure.Degrading, DegradeStart, DegradeFactor,
                RetiredAt, RetiredAt is null ? null : ids[(Slot, Generation + 1)], Flapping);
        }
    }
}

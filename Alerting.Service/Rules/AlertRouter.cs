using System.Globalization;
using Alerting.Service.Delivery;
using Alerting.Service.Storage;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Sensors360.Contracts;

namespace Alerting.Service.Rules;

/// <summary>
/// Routes each state change and at-risk prediction through the rules: one waiting alert per channel a matching rule
/// names, due when that rule's group window has passed (<see cref="AlertDispatcher"/> sends them). Only writes rows,
/// so a slow channel never holds up the queue; an event relayed twice waits once per channel.
/// </summary>
public sealed class AlertRouter(AlertingDbContext db, TimeProvider clock)
    : IConsumer<SensorStateChangeBatch>, IConsumer<SensorStateChanged>, IConsumer<SensorAtRisk>
{
    public const string QueueName = "alerts";

    public Task Consume(ConsumeContext<SensorStateChangeBatch> context) =>
        RouteAsync(context.Message.Items.Select(i => Waiting(i.EventId, i.Change)), context.CancellationToken);

    /// <summary>A single change, as workers relayed them before batches.</summary>
    public Task Consume(ConsumeContext<SensorStateChanged> context) =>
        RouteAsync([Waiting(context.MessageId ?? NewId.NextGuid(), context.Message)], context.CancellationToken);

    public Task Consume(ConsumeContext<SensorAtRisk> context)
    {
        var risk = context.Message;
        var detail = string.Format(CultureInfo.InvariantCulture, "{0:0%} within 7 days, {1:0%} within 30 days", risk.Risk7d, risk.Risk30d);
        return RouteAsync([new Event(context.MessageId ?? NewId.NextGuid(), AlertEvents.AtRisk, risk.SensorId, risk.Tag, null, risk.At, detail, risk.Labels)],
            context.CancellationToken);
    }

    static Event Waiting(Guid id, SensorStateChanged change) =>
        new(id, change.To, change.SensorId, change.Tag, change.From, change.At, null, change.Labels);

    sealed record Event(Guid Id, string Kind, long SensorId, string Tag, string? From, DateTimeOffset At, string? Detail,
        IReadOnlyDictionary<string, string>? Labels);

    async Task RouteAsync(IEnumerable<Event> events, CancellationToken cancellationToken)
    {
        var rules = await db.Rules.AsNoTracking().OrderBy(r => r.Id).ToListAsync(cancellationToken);
        if (rules.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow();
        // Per channel, the first matching rule's window: a rule listed earlier decides when its channel hears of it.
        var waiting = events.SelectMany(e => rules.Where(r => r.Matches(e.Kind, e.Labels))
                .SelectMany(r => r.ChannelIds.Select(channel => (Channel: channel, Due: now.AddSeconds(r.GroupWindowSeconds))))
                .DistinctBy(w => w.Channel)
                .Select(w => (w.Channel, w.Due, Event: e)))
            .ToList();
        if (waiting.Count == 0)
        {
            return;
        }
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO alerting.pending_alerts (channel_id, event_id, event, sensor_id, tag, from_state, at, detail, due_at)
            SELECT x.channel_id, x.event_id, x.event, x.sensor_id, x.tag, x.from_state, x.at, x.detail, x.due_at
            FROM unnest(@channels, @ids, @events, @sensors, @tags, @froms, @ats, @details, @dues)
                 AS x(channel_id, event_id, event, sensor_id, tag, from_state, at, detail, due_at)
            WHERE EXISTS (SELECT FROM alerting.alert_channels c WHERE c.id = x.channel_id)
            ON CONFLICT (channel_id, event_id) DO NOTHING
            """,
            [
                Array("channels", waiting.Select(w => w.Channel), NpgsqlDbType.Bigint),
                Array("ids", waiting.Select(w => w.Event.Id), NpgsqlDbType.Uuid),
                Array("events", waiting.Select(w => w.Event.Kind), NpgsqlDbType.Text),
                Array("sensors", waiting.Select(w => w.Event.SensorId), NpgsqlDbType.Bigint),
                Array("tags", waiting.Select(w => w.Event.Tag), NpgsqlDbType.Text),
                Array("froms", waiting.Select(w => w.Event.From), NpgsqlDbType.Text),
                Array("ats", waiting.Select(w => w.Event.At.ToUniversalTime()), NpgsqlDbType.TimestampTz),
                Array("details", waiting.Select(w => w.Event.Detail), NpgsqlDbType.Text),
                Array("dues", waiting.Select(w => w.Due.ToUniversalTime()), NpgsqlDbType.TimestampTz),
            ],
            cancellationToken);
    }

    static NpgsqlParameter Array<T>(string name, IEnumerable<T> values, NpgsqlDbType type) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };
}

public sealed class AlertRouterDefinition : ConsumerDefinition<AlertRouter>
{
    public AlertRouterDefinition() => EndpointName = AlertRouter.QueueName;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<AlertRouter> consumer,
        IRegistrationContext context) =>
        endpoint.UseMessageRetry(retry => retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
}

using Alerting.Service;
using Alerting.Service.Delivery;

namespace Alerting.Service.Tests;

public sealed class AlertMessageTests
{
    static readonly DateTimeOffset At = new(2026, 12, 6, 23, 40, 0, TimeSpan.Zero);
    static long s_id;

    static PendingAlert Alert(long sensor, string @event, string? from = "up", int secondsLater = 0, string? detail = null) => new()
    {
        Id = ++s_id, ChannelId = 1, EventId = Guid.NewGuid(), Event = @event, SensorId = sensor, Tag = $"pump-{sensor}",
        FromState = from, At = At.AddSeconds(secondsLater), Detail = detail, DueAt = At,
    };

    [Fact]
    public void A_site_going_down_is_one_message_naming_every_sensor()
    {
        var alerts = Enumerable.Range(1, 500).Select(i => Alert(i, "down", "late")).ToList();

        var message = AlertMessage.Compose("on-call", alerts);

        Assert.Equal("Sensors 360: 500 sensors down", message.Subject);
        Assert.Equal(500, message.Lines.Count);
        Assert.Equal(500, message.Alerts);
        Assert.All(Enumerable.Range(1, 500), i => Assert.Contains($"pump-{i} (#{i}): late → down at 2026-12-06 23:40:00Z", message.Text));
    }

    [Fact]
    public void A_sensor_changing_several_times_is_one_line_with_its_latest_state_and_the_count()
    {
        var message = AlertMessage.Compose("on-call",
            [Alert(7, "late", "up"), Alert(7, "down", "late", 5), Alert(8, "late", "up", 2)]);

        Assert.Equal("Sensors 360: 1 sensor down, 1 late", message.Subject);
        Assert.Equal(["pump-7 (#7): late → down at 2026-12-06 23:40:05Z (2 changes)", "pump-8 (#8): up → late at 2026-12-06 23:40:02Z"], message.Lines);
    }

    [Fact]
    public void Several_kinds_are_counted_worst_first()
    {
        var message = AlertMessage.Compose("on-call",
            [Alert(1, AlertEvents.AtRisk, null), Alert(2, "down", "late"), Alert(3, "down", "late"), Alert(4, "late", "up")]);

        Assert.Equal("Sensors 360: 2 sensors down, 1 late, 1 at risk", message.Subject);
    }

    [Fact]
    public void One_sensor_at_risk_is_named_in_the_subject_with_its_figures_in_the_line()
    {
        var message = AlertMessage.Compose("on-call", [Alert(3, AlertEvents.AtRisk, null, detail: "41% within 7 days, 80% within 30 days")]);

        Assert.Equal("Sensors 360: sensor pump-3 is at risk of failing", message.Subject);
        Assert.Equal(["pump-3 (#3): at risk: 41% within 7 days, 80% within 30 days at 2026-12-06 23:40:00Z"], message.Lines);
    }

    [Fact]
    public void A_test_message_names_the_channel_and_who_asked()
    {
        var message = AlertMessage.Compose("on-call", [new PendingAlert
        {
            ChannelId = 1, EventId = Guid.NewGuid(), Event = AlertEvents.Test, At = At, DueAt = At, Detail = "asked for by admin",
        }]);

        Assert.Equal("Sensors 360: test message for \"on-call\"", message.Subject);
        Assert.Equal(["Test message for channel \"on-call\", asked for by admin at 2026-12-06 23:40:00Z."], message.Lines);
    }
}

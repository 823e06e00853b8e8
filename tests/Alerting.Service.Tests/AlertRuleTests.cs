using Alerting.Service.Rules;

namespace Alerting.Service.Tests;

public sealed class AlertRuleTests
{
    static AlertRule Rule(string[] events, Dictionary<string, string>? labels = null) =>
        new() { Name = "r", Events = events, Labels = labels ?? [] };

    [Theory]
    [InlineData("down", true)]
    [InlineData("late", true)]
    [InlineData("at-risk", false)]
    public void A_rule_without_events_takes_every_state_change_but_not_predictions(string @event, bool matches) =>
        Assert.Equal(matches, Rule([]).Matches(@event, null));

    [Fact]
    public void A_rule_with_events_takes_only_those() =>
        Assert.Equal([true, false, true], new[] { "down", "late", "at-risk" }.Select(e => Rule(["down", "at-risk"]).Matches(e, null)));

    [Fact]
    public void A_label_selector_needs_every_label_with_its_value()
    {
        var rule = Rule(["down"], new() { ["site"] = "north", ["line"] = "2" });

        Assert.True(rule.Matches("down", new Dictionary<string, string> { ["site"] = "north", ["line"] = "2", ["extra"] = "x" }));
        Assert.False(rule.Matches("down", new Dictionary<string, string> { ["site"] = "north" }));
        Assert.False(rule.Matches("down", new Dictionary<string, string> { ["site"] = "south", ["line"] = "2" }));
        // An event published before events carried labels matches only a rule without a selector.
        Assert.False(rule.Matches("down", null));
        Assert.True(Rule(["down"]).Matches("down", null));
    }
}

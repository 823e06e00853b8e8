
namespace Sensors360.Simulator.Tests;

public sealed class ProblemTextTests
{
    [Theory]
    [InlineData("""{"title":"Tag in use","status":409,"detail":"An active sensor is already tagged 'x'."}""", "An active sensor is already tagged 'x'.")]
    [InlineData("""{"title":"Tag in use","status":409}""", "Tag in use")]
    [InlineData("upstream connect error", "upstream connect error")]
    [InlineData("  ", null)]
    public void The_detail_is_preferred_then_the_title_then_the_text(string body, string? expected)
    {
        Assert.Equal(expected, ProblemText.FromBody(body));
    }

    [Fact]
    public void Long_bodies_are_cut()
    {
        var text = ProblemText.FromBody(new string('x', 5000));

        Assert.Equal(301, text!.Length);
        Assert.EndsWith("…", text);
    }
}

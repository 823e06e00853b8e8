using Realtime.Gateway.Identity;

namespace Realtime.Gateway.Tests;

public sealed class RolesTests
{
    [Theory]
    [InlineData(new[] { "Viewer" }, "Viewer")]
    [InlineData(new[] { "Viewer", "Admin", "Operator" }, "Admin")]
    [InlineData(new[] { "operator" }, "Operator")]
    [InlineData(new[] { "Root" }, null)]
    [InlineData(new string[0], null)]
    public void The_highest_known_role_wins(string[] roles, string? expected) => Assert.Equal(expected, Roles.Highest(roles));

    [Fact]
    public void Each_policy_admits_its_role_and_every_higher_one()
    {
        Assert.Equal(["Viewer", "Operator", "Admin"], Roles.AtLeast(Roles.Viewer));
        Assert.Equal(["Operator", "Admin"], Roles.AtLeast(Roles.Operator));
        Assert.Equal(["Admin"], Roles.AtLeast(Roles.Admin));
    }
}

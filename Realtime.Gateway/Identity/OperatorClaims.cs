using System.Security.Claims;

namespace Realtime.Gateway.Identity;

public static class OperatorClaims
{
    public const string TokenId = "sensors360:token_id";

    /// <summary>The highest role the principal holds, or null.</summary>
    public static string? RoleOf(ClaimsPrincipal user) =>
        Roles.Highest(user.FindAll(ClaimTypes.Role).Select(claim => claim.Value));
}

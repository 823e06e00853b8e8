namespace Realtime.Gateway.Identity;

/// <summary>Operators' roles. Each user has exactly one; a higher role includes everything below it.</summary>
public static class Roles
{
    public const string Viewer = "Viewer";
    public const string Operator = "Operator";
    public const string Admin = "Admin";

    public static readonly string[] All = [Viewer, Operator, Admin];

    /// <summary>The role's canonical spelling, or null when it is not a role (case-insensitive).</summary>
    public static string? Parse(string? role) => All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));

    /// <summary>The highest of the given roles (unknown names ignored), or null.</summary>
    public static string? Highest(IEnumerable<string?> roles) =>
        roles.Select(Parse).OfType<string>().MaxBy(role => Array.IndexOf(All, role));

    /// <summary>Roles whose holders pass a policy named after <paramref name="role"/>.</summary>
    public static string[] AtLeast(string role) => role switch
    {
        Viewer => [Viewer, Operator, Admin],
        Operator => [Operator, Admin],
        Admin => [Admin],
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Not a role."),
    };
}

/// <summary>Authorization policy names; the proxy's routes name them too (appsettings.json).</summary>
public static class Policies
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";
}

public static class UserNames
{
    /// <summary>Letters, digits and . _ - @, 1–64 characters.</summary>
    public const string Pattern = "^[A-Za-z0-9._@-]{1,64}$";
}

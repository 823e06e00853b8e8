using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Realtime.Gateway.Infrastructure;
using Sensors360.Contracts;

namespace Realtime.Gateway.Identity;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c>: looks the token's SHA-256 up on every request, so a revoked token, an
/// expired one or one whose user was deleted stops working at once on every replica. A user's access tokens are
/// deleted when an Admin resets the user's password, locks the user or changes the role (<see cref="Apis.UsersApi"/>).
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    GatewayDbContext db, UserManager<IdentityUser> users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    const string BearerPrefix = "Bearer ";
    static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public static bool HasBearer(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!HasBearer(Request))
        {
            return AuthenticateResult.NoResult();
        }
        var value = Request.Headers.Authorization.ToString()[BearerPrefix.Length..].Trim();
        if (value.Length == 0)
        {
            return AuthenticateResult.Fail("The bearer token is empty.");
        }
        var hash = ApiKeys.Hash(value);
        var token = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Hash == hash, Context.RequestAborted);
        var now = TimeProvider.GetUtcNow();
        if (token is null)
        {
            return AuthenticateResult.Fail("The bearer token is not known.");
        }
        if (token.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("The bearer token was revoked.");
        }
        if (token.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("The bearer token has expired; get a new one from POST /api/auth/token.");
        }

        string name, role;
        List<Claim> claims = [new(OperatorClaims.TokenId, token.Id.ToString())];
        if (token.UserId is { } userId)
        {
            var user = await users.FindByIdAsync(userId);
            if (user?.UserName is null)
            {
                return AuthenticateResult.Fail("The bearer token's user no longer exists.");
            }
            name = user.UserName;
            role = Roles.Highest(await users.GetRolesAsync(user)) ?? "";
            claims.Add(new Claim(ClaimTypes.NameIdentifier, userId));
        }
        else
        {
            name = $"token:{token.Name}";
            role = token.Role ?? "";
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAt, now), Context.RequestAborted);
        }

        claims.Add(new Claim(ClaimTypes.Name, name));
        if (role.Length > 0)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await AuthProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized", failure ?? AuthProblems.SignInFirst);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthProblems.ForbiddenAsync(Context);
}

using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Realtime.Gateway.Identity;
using Realtime.Gateway.Infrastructure;
using Sensors360.Audit;
using Sensors360.Contracts;

namespace Realtime.Gateway.Apis;

public sealed record Credentials(string? Username, string? Password);

public sealed record Operator(string Username, string Role);

public sealed record AccessTokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public sealed record AntiforgeryTokenResponse(string Token, string HeaderName);

/// <summary>Sign-in for the dashboard (session cookie) and for scripts (bearer access token).</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Sign-in");
        group.MapPost("/login", Login).RequireRateLimiting(IdentitySetup.SignInRateLimit).WithName("Login")
            .WithSummary("Checks the password and sets the session cookie; 5 failures lock the account for a while.");
        group.MapPost("/token", Token).RequireRateLimiting(IdentitySetup.SignInRateLimit).WithName("AccessToken")
            .WithSummary("Checks the password and returns a bearer access token (same lockout as login).");
        group.MapPost("/logout", Logout).RequireAuthorization().WithName("Logout")
            .WithSummary("Ends the session (or revokes the access token used).");
        group.MapGet("/me", Me).RequireAuthorization().WithName("Me").WithSummary("Who is signed in, with which role.");
        group.MapGet("/antiforgery", Antiforgery).WithName("Antiforgery")
            .WithSummary("The token to send as X-XSRF-TOKEN on writes made with the session cookie (fetch it after signing in).");
        return group;
    }

    static async Task<Results<Ok<Operator>, ProblemHttpResult>> Login(
        Credentials credentials, SignInManager<IdentityUser> signIn, GatewayDbContext db, HttpContext context, TimeProvider clock)
    {
        var (user, problem) = await CheckPasswordAsync(credentials, signIn, context, clock);
        await RecordSignInAsync(db, context, clock, credentials, problem, "session");
        if (problem is not null)
        {
            return problem;
        }
        await signIn.SignInAsync(user!, isPersistent: false);
        return TypedResults.Ok(new Operator(user!.UserName!, await RoleAsync(signIn.UserManager, user)));
    }

    static async Task<Results<Ok<AccessTokenResponse>, ProblemHttpResult>> Token(
        Credentials credentials, SignInManager<IdentityUser> signIn, GatewayDbContext db, IOptions<GatewayOptions> options,
        HttpContext context, TimeProvider clock)
    {
        var (user, problem) = await CheckPasswordAsync(credentials, signIn, context, clock);
        await RecordSignInAsync(db, context, clock, credentials, problem, "access token");
        if (problem is not null)
        {
            return problem;
        }
        var now = clock.GetUtcNow();
        var lifetime = options.Value.AccessTokenLifetime;
        var token = ApiKeys.NewBearerToken();
        db.ApiTokens.Add(new ApiToken
        {
            Name = "access token", Hash = ApiKeys.Hash(token), UserId = user!.Id, CreatedBy = user.UserName!,
            CreatedAt = now, ExpiresAt = now + lifetime,
        });
        await db.SaveChangesAsync(context.RequestAborted);
        await TokensApi.DeleteExpiredAccessTokensAsync(db, now, context.RequestAborted);
        return TypedResults.Ok(new AccessTokenResponse(token, "Bearer", (int)lifetime.TotalSeconds));
    }

    static async Task<NoContent> Logout(SignInManager<IdentityUser> signIn, GatewayDbContext db, HttpContext context, TimeProvider clock)
    {
        await db.RecordAsync(context.AuditEntry(clock.GetUtcNow(), AuditActions.SignOut, $"user {context.User.Identity!.Name}"), context.RequestAborted);
        if (context.User.FindFirst(OperatorClaims.TokenId)?.Value is { } tokenId && long.TryParse(tokenId, out var id))
        {
            // Only access tokens (bound to a user) end with a logout; named API tokens are revoked by an Admin.
            await TokensApi.RevokeAccessTokenAsync(db, id, context.RequestAborted);
        }
        else
        {
            await signIn.SignOutAsync();
        }
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Every password check that got as far as checking (not a form left empty), kept whether the client stays or not.
    /// The name is recorded as typed, for a failure too: that is who tried.
    /// </summary>
    static Task RecordSignInAsync(GatewayDbContext db, HttpContext context, TimeProvider clock, Credentials credentials, ProblemHttpResult? problem, string via)
    {
        if (problem?.StatusCode == StatusCodes.Status400BadRequest)
        {
            return Task.CompletedTask;
        }
        var name = credentials.Username!.Length > 200 ? credentials.Username[..200] : credentials.Username;
        var entry = problem is null
            ? context.AuditEntry(clock.GetUtcNow(), AuditActions.SignIn, $"user {name}", new { via }, actor: name)
            : context.AuditEntry(clock.GetUtcNow(), AuditActions.SignInFailed, $"user {name}", new { via, status = problem.StatusCode, reason = problem.ProblemDetails.Title }, actor: name);
        return db.RecordAsync(entry, CancellationToken.None);
    }

    static Ok<Operator> Me(HttpContext context) =>
        TypedResults.Ok(new Operator(context.User.Identity!.Name!, OperatorClaims.RoleOf(context.User) ?? ""));

    static Ok<AntiforgeryTokenResponse> Antiforgery(IAntiforgery antiforgery, HttpContext context) =>
        TypedResults.Ok(new AntiforgeryTokenResponse(antiforgery.GetAndStoreTokens(context).RequestToken!, IdentitySetup.AntiforgeryHeader));

    /// <summary>
    /// The password check shared by login and token. Failures lock the user name after
    /// <c>MaxFailedAccessAttempts</c> in a row: a real account through Identity's lockout, any other name (unknown, or
    /// an account an Admin locked) through <see cref="NameLockouts"/>, with the same answers, headers and cost.
    /// </summary>
    static async Task<(IdentityUser? User, ProblemHttpResult? Problem)> CheckPasswordAsync(
        Credentials credentials, SignInManager<IdentityUser> signIn, HttpContext context, TimeProvider clock)
    {
        if (string.IsNullOrEmpty(credentials.Username) || string.IsNullOrEmpty(credentials.Password))
        {
            var errors = new Dictionary<string, string[]>();
            if (string.IsNullOrEmpty(credentials.Username)) errors["username"] = ["Enter a user name."];
            if (string.IsNullOrEmpty(credentials.Password)) errors["password"] = ["Enter a password."];
            return (null, TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest }));
        }
        var users = signIn.UserManager;
        var user = await users.FindByNameAsync(credentials.Username);
        if (user is null || UsersApi.IsLockedByAdmin(user))
        {
            var lockouts = context.RequestServices.GetRequiredService<NameLockouts>();
            var name = users.NormalizeName(credentials.Username) ?? credentials.Username;
            // Identity answers a locked account before hashing anything; so does this.
            if (await lockouts.LockedUntilAsync(name, context.RequestAborted) is { } until)
            {
                return (null, Locked(context, clock, until, signIn));
            }
            // Same cost as a real check, so response times do not tell which user names exist.
            var hasher = users.PasswordHasher;
            var unknownUserHash = LazyInitializer.EnsureInitialized(ref _unknownUserHash, () => hasher.HashPassword(new IdentityUser(), Guid.NewGuid().ToString()));
            hasher.VerifyHashedPassword(new IdentityUser(), unknownUserHash, credentials.Password);
            // Counted even when the client has gone: hanging up must not spare an attempt.
            return (null, await lockouts.RecordFailureAsync(name, CancellationToken.None) is { } lockedUntil
                ? Locked(context, clock, lockedUntil, signIn)
                : InvalidCredentials());
        }
        var result = await signIn.CheckPasswordSignInAsync(user, credentials.Password, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            return (null, Locked(context, clock, await users.GetLockoutEndDateAsync(user) ?? clock.GetUtcNow(), signIn));
        }
        return result.Succeeded ? (user, null) : (null, InvalidCredentials());
    }

    static ProblemHttpResult Locked(HttpContext context, TimeProvider clock, DateTimeOffset until, SignInManager<IdentityUser> signIn)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling((until - clock.GetUtcNow()).TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Account locked",
            detail: $"This account is locked after {signIn.Options.Lockout.MaxFailedAccessAttempts} failed sign-ins; try again in {seconds} s or ask an Admin to reset the password.");
    }

    static ProblemHttpResult InvalidCredentials() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: "Wrong user name or password.");

    internal static async Task<string> RoleAsync(UserManager<IdentityUser> users, IdentityUser user) =>
        Roles.Highest(await users.GetRolesAsync(user)) ?? "";

    // A hash of a random password made by the configured hasher, so checking it costs what checking a real one does.
    static string? _unknownUserHash;
}

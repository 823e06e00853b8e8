using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Realtime.Gateway.Identity;
using Realtime.Gateway.Infrastructure;
using Sensors360.Audit;
using Sensors360.Contracts;

namespace Realtime.Gateway.Apis;

public sealed record CreateTokenRequest(string? Name, string? Role, int? ExpiresInDays);

public sealed record TokenSummary(
    long Id, string Name, string Role, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

public sealed record TokenCreated(long Id, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, string Token);

/// <summary>Long-lived, role-scoped bearer tokens for scripts and automation; stored as SHA-256, shown once.</summary>
public static class TokensApi
{
    public static RouteGroupBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tokens").WithTags("API tokens").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List).WithName("ListTokens").WithSummary("API tokens (never the tokens themselves), newest first.");
        group.MapPost("/", Create).WithName("CreateToken").WithSummary("Creates an API token with a role; the token is shown once.");
        group.MapDelete("/{id:long}", Revoke).WithName("RevokeToken").WithSummary("Revokes an API token; it stops working at once.");
        return group;
    }

    static async Task<Ok<List<TokenSummary>>> List(GatewayDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.ApiTokens.AsNoTracking()
            .Where(t => t.UserId == null)
            .OrderByDescending(t => t.Id)
            .Select(t => new TokenSummary(t.Id, t.Name, t.Role!, t.CreatedBy, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt))
            .ToListAsync(cancellationToken));

    static async Task<Results<Created<TokenCreated>, ValidationProblem>> Create(
        CreateTokenRequest request, GatewayDbContext db, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            errors["name"] = ["Name the token (1–100 characters), e.g. after the script that uses it."];
        }
        var role = Roles.Parse(request.Role);
        if (role is null)
        {
            errors["role"] = [$"Role must be one of {string.Join(", ", Roles.All)}."];
        }
        if (request.ExpiresInDays is < 1 or > 3650)
        {
            errors["expiresInDays"] = ["expiresInDays must be between 1 and 3650 (leave it out for a token that does not expire)."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = clock.GetUtcNow();
        var value = ApiKeys.NewBearerToken();
        ApiToken token = null!;
        // The token's row and the audit entry naming its id in one transaction, replayed whole on a transient failure.
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            token = new ApiToken
            {
                Name = name!, Role = role, Hash = ApiKeys.Hash(value), CreatedBy = context.User.Identity!.Name!, CreatedAt = now,
                ExpiresAt = request.ExpiresInDays is { } days ? now.AddDays(days) : null,
            };
            db.ApiTokens.Add(token);
            await db.SaveChangesAsync(cancellationToken);
            await db.RecordAsync(context.AuditEntry(now, AuditActions.TokenCreate, $"token {token.Id}",
                new { token.Name, role, expiresAt = token.ExpiresAt }), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        return TypedResults.Created($"/api/tokens/{token.Id}", new TokenCreated(token.Id, token.Name, role!, now, token.ExpiresAt, value));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        long id, GatewayDbContext db, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == id && t.UserId == null, cancellationToken);
        if (token is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such token", detail: $"There is no API token {id}.");
        }
        if (token.RevokedAt is null)
        {
            token.RevokedAt = now;
            db.AuditEntries.Add(context.AuditEntry(now, AuditActions.TokenRevoke, $"token {id}", new { token.Name }));
        }
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static Task RevokeAccessTokenAsync(GatewayDbContext db, long id, CancellationToken cancellationToken) =>
        db.ApiTokens.Where(t => t.Id == id && t.UserId != null).ExecuteDeleteAsync(cancellationToken);

    internal static Task DeleteExpiredAccessTokensAsync(GatewayDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.ApiTokens.Where(t => t.UserId != null && t.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
}

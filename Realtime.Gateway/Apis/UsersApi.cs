using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Realtime.Gateway.Identity;
using Realtime.Gateway.Infrastructure;
using Sensors360.Audit;

namespace Realtime.Gateway.Apis;

public sealed record CreateUserRequest(string? Username, string? Password, string? Role);

/// <param name="Locked">True locks the account until an Admin unlocks it (false) or resets its password.</param>
public sealed record UpdateUserRequest(string? Role, string? Password, bool? Locked);

public sealed record UserSummary(string Username, string Role, DateTimeOffset? LockedOutUntil);

/// <summary>
/// Operators' accounts, managed by Admins. Every change runs in one transaction. A password reset, a lock, a role
/// change or a deletion takes the user's access away at once: the user's access tokens are deleted with the change,
/// and after the commit <see cref="AccessRevocations"/> ends the user's sessions and closes their WebSockets.
/// </summary>
public static partial class UsersApi
{
    // Serialises account changes so two Admins cannot remove the last two Admins at the same moment.
    const long AccountsLock = 0x5336_3005;

    /// <summary>The lockout end an Admin's lock sets: until unlocked. (Year 9999 rather than MaxValue, which PostgreSQL stores as infinity.)</summary>
    static readonly DateTimeOffset LockedByAdmin = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static bool IsLockedByAdmin(IdentityUser user) => user.LockoutEnd >= LockedByAdmin;

    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List).WithName("ListUsers").WithSummary("Operators with their role and lockout.");
        group.MapPost("/", Create).WithName("CreateUser").WithSummary("Creates an operator with a role (Viewer, Operator or Admin).");
        group.MapPut("/{username}", Update).WithName("UpdateUser")
            .WithSummary("Changes an operator's role, password (which also unlocks) and/or lock; their sessions, access tokens and WebSockets end at once.");
        group.MapDelete("/{username}", Delete).WithName("DeleteUser").WithSummary("Deletes an operator; their sessions, access tokens and WebSockets end at once.");
        return group;
    }

    static async Task<Ok<List<UserSummary>>> List(GatewayDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var rows = await (
            from user in db.Users
            orderby user.UserName
            select new
            {
                user.UserName,
                user.LockoutEnd,
                Roles = (from link in db.UserRoles join role in db.Roles on link.RoleId equals role.Id where link.UserId == user.Id select role.Name).ToList(),
            }).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(row => new UserSummary(
            row.UserName!, Roles.Highest(row.Roles) ?? "", row.LockoutEnd > now ? row.LockoutEnd : null)).ToList());
    }

    static async Task<Results<Created<UserSummary>, ValidationProblem, ProblemHttpResult>> Create(
        CreateUserRequest request, UserManager<IdentityUser> users, GatewayDbContext db, TimeProvider clock, HttpContext context,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Username is null || !UserNamePattern().IsMatch(request.Username))
        {
            errors["username"] = ["A user name is 1–64 letters, digits or . _ @ -."];
        }
        var role = Roles.Parse(request.Role);
        if (role is null)
        {
            errors["role"] = [$"Role must be one of {string.Join(", ", Roles.All)}."];
        }
        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["Enter a password."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await InTransactionAsync<Results<Created<UserSummary>, ValidationProblem, ProblemHttpResult>>(db, async () =>
        {
            if (await users.FindByNameAsync(request.Username!) is not null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "User exists",
                    detail: $"There is already a user named '{request.Username}'.");
            }
            var user = new IdentityUser(request.Username!);
            var created = await users.CreateAsync(user, request.Password!);
            if (!created.Succeeded)
            {
                return IdentityProblem(created);
            }
            var added = await users.AddToRoleAsync(user, role!);
            if (added.Succeeded)
            {
                await db.RecordAsync(context.AuditEntry(clock.GetUtcNow(), AuditActions.UserCreate, $"user {user.UserName}", new { role }), cancellationToken);
            }
            return added.Succeeded
                ? TypedResults.Created($"/api/users/{Uri.EscapeDataString(user.UserName!)}", new UserSummary(user.UserName!, role!, null))
                : IdentityProblem(added);
        }, cancellationToken);
    }

    static async Task<Results<Ok<UserSummary>, ValidationProblem, ProblemHttpResult>> Update(
        string username, UpdateUserRequest request, UserManager<IdentityUser> users, GatewayDbContext db, TimeProvider clock,
        AccessRevocations revocations, IPublishEndpoint bus, HttpContext context, CancellationToken cancellationToken)
    {
        var role = request.Role is null ? null : Roles.Parse(request.Role);
        if (request.Role is not null && role is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = [$"Role must be one of {string.Join(", ", Roles.All)}."] });
        }
        if (request.Role is null && request.Password is null && request.Locked is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["Give a role, a password, a lock state (locked: true or false), or several."] });
        }
        if (request.Locked == true && string.Equals(username, context.User.Identity?.Name, StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cannot lock yourself",
                detail: "Ask another Admin to lock your account.");
        }

        List<string> revoked = [];
        IdentityUser? changed = null;
        var answer = await InTransactionAsync<Results<Ok<UserSummary>, ValidationProblem, ProblemHttpResult>>(db, async () =>
        {
            revoked.Clear();
            var user = await users.FindByNameAsync(username);
            if (user is null)
            {
                return UnknownUser(username);
            }
            var current = await users.GetRolesAsync(user);
            var changes = new Dictionary<string, object?>();
            if (role is not null && Roles.Highest(current) != role)
            {
                changes["role"] = AuditEntry.Change(Roles.Highest(current), role);
                revoked.Add("role changed");
                if (current.Contains(Roles.Admin) && role != Roles.Admin && await LeavesNoAdminAsync(users, user))
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Last Admin",
                        detail: "This is the last Admin who can sign in; make another user Admin (or unlock one) first.");
                }
                if (current.Count > 0 && await users.RemoveFromRolesAsync(user, current) is { Succeeded: false } removed)
                {
                    return IdentityProblem(removed);
                }
                if (await users.AddToRoleAsync(user, role) is { Succeeded: false } added)
                {
                    return IdentityProblem(added);
                }
            }
            if (request.Password is not null)
            {
                if (await users.HasPasswordAsync(user) && await users.RemovePasswordAsync(user) is { Succeeded: false } removed)
                {
                    return IdentityProblem(removed);
                }
                if (await users.AddPasswordAsync(user, request.Password) is { Succeeded: false } set)
                {
                    return IdentityProblem(set);
                }
                await users.SetLockoutEndDateAsync(user, null);
                await users.ResetAccessFailedCountAsync(user);
                revoked.Add("password reset");
                changes["password"] = "reset";
            }
            if (request.Locked == true && !IsLockedByAdmin(user))
            {
                await users.SetLockoutEnabledAsync(user, true);
                await users.SetLockoutEndDateAsync(user, LockedByAdmin);
                revoked.Add("account locked");
                changes["locked"] = AuditEntry.Change(false, true);
            }
            else if (request.Locked == false && request.Password is null && await users.GetLockoutEndDateAsync(user) is not null)
            {
                await users.SetLockoutEndDateAsync(user, null);
                await users.ResetAccessFailedCountAsync(user);
                changes["locked"] = AuditEntry.Change(true, false);
            }
            if (revoked.Count > 0)
            {
                // A new stamp ends the user's cookies (at once, see AccessRevocations); the user's access tokens go
                // with the change.
                await users.UpdateSecurityStampAsync(user);
                await db.ApiTokens.Where(t => t.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
            }
            if (changes.Count > 0)
            {
                await db.RecordAsync(context.AuditEntry(clock.GetUtcNow(), AuditActions.UserUpdate, $"user {user.UserName}", changes), cancellationToken);
            }
            changed = user;
            var lockout = await users.GetLockoutEndDateAsync(user);
            return TypedResults.Ok(new UserSummary(user.UserName!, Roles.Highest(await users.GetRolesAsync(user)) ?? "",
                lockout > clock.GetUtcNow() ? lockout : null));
        }, cancellationToken);
        if (changed is not null && revoked.Count > 0 && answer.Result is Ok<UserSummary>)
        {
            await revocations.RevokeEverywhereAsync(bus, changed.Id, string.Join(", ", revoked));
        }
        return answer;
    }

    static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> Delete(
        string username, UserManager<IdentityUser> users, GatewayDbContext db, AccessRevocations revocations, IPublishEndpoint bus,
        HttpContext context, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (string.Equals(username, context.User.Identity?.Name, StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cannot delete yourself",
                detail: "Ask another Admin to delete your account.");
        }
        string? deletedId = null;
        var answer = await InTransactionAsync<Results<NoContent, ProblemHttpResult, ValidationProblem>>(db, async () =>
        {
            var user = await users.FindByNameAsync(username);
            if (user is null)
            {
                return UnknownUser(username);
            }
            if (await users.IsInRoleAsync(user, Roles.Admin) && await LeavesNoAdminAsync(users, user))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Last Admin",
                    detail: "This is the last Admin who can sign in; make another user Admin (or unlock one) first.");
            }
            var deleted = await users.DeleteAsync(user); // cascades to roles, claims and the user's access tokens
            deletedId = user.Id;
            if (deleted.Succeeded)
            {
                await db.RecordAsync(context.AuditEntry(clock.GetUtcNow(), AuditActions.UserDelete, $"user {user.UserName}"), cancellationToken);
            }
            return deleted.Succeeded ? TypedResults.NoContent() : IdentityProblem(deleted);
        }, cancellationToken);
        if (deletedId is not null && answer.Result is NoContent)
        {
            await revocations.RevokeEverywhereAsync(bus, deletedId, "account deleted");
        }
        return answer;
    }

    /// <summary>Whether no Admin able to sign in would remain without <paramref name="user"/> (a locked Admin cannot).</summary>
    static async Task<bool> LeavesNoAdminAsync(UserManager<IdentityUser> users, IdentityUser user) =>
        !(await users.GetUsersInRoleAsync(Roles.Admin)).Any(admin => admin.Id != user.Id && !IsLockedByAdmin(admin));

    /// <summary>
    /// One transaction per change (inside the execution strategy, which may retry the whole block), under an advisory
    /// lock; the block's result commits only when it is a success.
    /// </summary>
    static async Task<T> InTransactionAsync<T>(GatewayDbContext db, Func<Task<T>> change, CancellationToken cancellationToken) where T : IResult
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AccountsLock})", cancellationToken);
            var result = await change();
            if (result is INestedHttpResult { Result: IStatusCodeHttpResult { StatusCode: < 400 } })
            {
                await transaction.CommitAsync(cancellationToken);
            }
            return result;
        });
    }

    static ProblemHttpResult UnknownUser(string username) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such user", detail: $"There is no user named '{username}'.");

    static ValidationProblem IdentityProblem(IdentityResult result) => TypedResults.ValidationProblem(
        result.Errors.GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password"
                : e.Code.Contains("UserName", StringComparison.Ordinal) ? "username" : "role")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));

    [GeneratedRegex(UserNames.Pattern)]
    private static partial Regex UserNamePattern();
}

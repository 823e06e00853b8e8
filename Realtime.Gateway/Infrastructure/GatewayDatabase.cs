using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;
using Realtime.Gateway.Identity;
using Sensors360.Storage;

namespace Realtime.Gateway.Infrastructure;

public static class GatewayDatabase
{
    /// <summary>A session advisory lock for preparing the identity schema: "S360" "IDMG" in ASCII.</summary>
    const long MigrationLock = 0x5333_3630_4944_4D47;

    /// <summary>The gateway's migration history lives in its own schema, apart from Monitor.Worker's.</summary>
    public static void ConfigureNpgsql(NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable("__EFMigrationsHistory", GatewayDbContext.Schema);

    /// <summary>
    /// Applies the identity schema's migrations (one replica at a time),
    /// creates the three roles and makes sure the configured Admin exists with the configured password.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        using var scope = app.Services.CreateScope();
        // Replicas take turns, so they neither apply a migration twice (EF's own lock did not prevent it) nor race to
        // create the same roles and Admin.
        await scope.ServiceProvider.GetRequiredService<GatewayDbContext>().Database
            .MigrateAloneAsync(MigrationLock, stopping, () => BootstrapAsync(scope.ServiceProvider, app.Logger));
    }

    static async Task BootstrapAsync(IServiceProvider services, ILogger logger)
    {
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        if (string.IsNullOrEmpty(options.AdminPassword))
        {
            logger.LogWarning("Gateway:AdminPassword is not set; no Admin is bootstrapped. Run through the AppHost (parameter admin-password).");
            return;
        }
        var users = services.GetRequiredService<UserManager<IdentityUser>>();
        var admin = await users.FindByNameAsync(options.AdminUserName);
        if (admin is null)
        {
            admin = new IdentityUser(options.AdminUserName);
            Check(await users.CreateAsync(admin, options.AdminPassword), "create the Admin (is admin-password at least 12 characters?)");
            logger.LogInformation("Created the Admin {UserName}", options.AdminUserName);
        }
        else if (!await users.CheckPasswordAsync(admin, options.AdminPassword))
        {
            if (await users.HasPasswordAsync(admin))
            {
                Check(await users.RemovePasswordAsync(admin), "reset the Admin's password");
            }
            Check(await users.AddPasswordAsync(admin, options.AdminPassword), "set the Admin's password (is admin-password at least 12 characters?)");
            logger.LogInformation("Reset the Admin {UserName}'s password to the configured one", options.AdminUserName);
        }
        if (await users.IsLockedOutAsync(admin))
        {
            await users.SetLockoutEndDateAsync(admin, null);
        }
        await users.ResetAccessFailedCountAsync(admin);
        var current = await users.GetRolesAsync(admin);
        if (current.Count != 1 || current[0] != Roles.Admin)
        {
            if (current.Count > 0)
            {
                Check(await users.RemoveFromRolesAsync(admin, current), "reset the Admin's roles");
            }
            Check(await users.AddToRoleAsync(admin, Roles.Admin), "make the Admin an Admin");
        }
    }

    static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }
}

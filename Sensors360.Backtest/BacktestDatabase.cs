using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sensors360.Monitoring.Storage;

namespace Sensors360.Backtest;

/// <summary>Gives an empty database the monitor's schema, so a history can be generated into it without starting the worker.</summary>
public static class BacktestDatabase
{
    public static async Task MigrateAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var context = new MonitorDbContext(new DbContextOptionsBuilder<MonitorDbContext>()
            .UseNpgsql(db)
            .UseSnakeCaseNamingConvention()
            .Options);
        await context.Database.MigrateAsync(cancellationToken);
    }
}

using Microsoft.EntityFrameworkCore;
using Sensors360.Monitoring.Storage;

namespace Sensors360.Monitoring.Tests.Storage;

public sealed class MigrationsTests
{
    [Fact]
    public void The_migrations_describe_the_model_as_it_is()
    {
        using var context = new MonitorDbContext(new DbContextOptionsBuilder<MonitorDbContext>()
            .UseNpgsql("Host=localhost;Database=unused")
            .UseSnakeCaseNamingConvention()
            .Options);

        Assert.False(context.Database.HasPendingModelChanges(), "The model has changed since the last migration: add one with dotnet ef migrations add.");
        Assert.NotEmpty(context.Database.GetMigrations());
    }
}

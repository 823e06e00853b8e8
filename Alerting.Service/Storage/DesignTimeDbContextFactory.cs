using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Alerting.Service.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AlertingDbContext>
{
    public AlertingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AlertingDbContext>()
            .UseNpgsql("Host=localhost;Database=sensorsdb", AlertingDbContext.ConfigureNpgsql)
            .UseSnakeCaseNamingConvention()
            .Options);
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Realtime.Gateway.Infrastructure;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the gateway.</summary>
sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<GatewayDbContext>
{
    public GatewayDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<GatewayDbContext>()
            .UseNpgsql("Host=localhost;Database=sensorsdb", GatewayDatabase.ConfigureNpgsql)
            .UseSnakeCaseNamingConvention()
            .Options);
}

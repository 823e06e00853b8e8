using MassTransit;
using Microsoft.EntityFrameworkCore;
using Monitor.Worker.Monitoring;
using Monitor.Worker.Outbox;
using Monitor.Worker.Prediction;
using Monitor.Worker.Queries;
using Monitor.Worker.Registry;
using Monitor.Worker.Storage;
using Sensors360.Contracts;
using Sensors360.Messaging;
using Sensors360.Monitoring.Liveness;
using Sensors360.Monitoring.Model;
using Sensors360.Monitoring.Prediction;
using Sensors360.Monitoring.Storage;
using Sensors360.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceAuthentication();
builder.Services.AddValidatedOptions<MonitorOptions>(MonitorOptions.Section);
builder.Services.AddSingleton(TimeProvider.System);

builder.AddNpgsqlDataSource("sensorsdb");
builder.AddHeartbeatBacklogProbe();
builder.Services.AddDbContextPool<MonitorDbContext>((services, options) => options
    .UseNpgsql(services.GetRequiredService<Npgsql.NpgsqlDataSource>())
    .UseSnakeCaseNamingConvention());
builder.EnrichNpgsqlDbContext<MonitorDbContext>();

builder.Services.AddSingleton<OutboxSignal>();
builder.Services.AddHostedService<OutboxRelay>();
builder.Services.AddSingleton<IngestProgress>();
builder.Services.AddReceiveObserver<HeartbeatDeliveries>();
builder.Services.AddSingleton<IngestLag>();
builder.Services.AddSingleton<MonitorMetrics>();
builder.Services.AddSingleton<FleetWatermark>();
builder.Services.AddHostedService(services => services.GetRequiredService<FleetWatermark>());
builder.Services.AddSingleton<HeartbeatWriter>();
// Before the bus: hosted services stop in reverse order, so it still commits while the bus lets consumers finish.
builder.Services.AddSingleton<HeartbeatCommitter>();
builder.Services.AddHostedService(services => services.GetRequiredService<HeartbeatCommitter>());
builder.Services.AddSingleton<HeartbeatPartitions>();
builder.Services.AddSingleton<RowRetention>();
builder.Services.AddHostedService<StorageMaintenanceService>();

builder.Services.AddSingleton<FleetStatistics>();
builder.Services.AddSingleton<StalenessScanner>();
builder.Services.AddSingleton<PeriodicWorkService>();
builder.Services.AddHostedService(services => services.GetRequiredService<PeriodicWorkService>());
builder.Services.AddHealthChecks()
    .AddCheck<PeriodicWorkHealthCheck>(PeriodicWorkHealthCheck.Name)
    .AddCheck<IngestLagHealthCheck>(IngestLagHealthCheck.Name);
builder.Services.AddValidatedOptions<PredictionOptions>(PredictionOptions.Section);
builder.Services.AddSingleton<PredictionService>();
builder.Services.AddHostedService(services => services.GetRequiredService<PredictionService>());

builder.Services.AddSingleton<LatestSnapshot>();
builder.AddSensorsMessaging(bus =>
{
    bus.AddConsumer<HeartbeatsReceivedConsumer, HeartbeatsReceivedConsumerDefinition>();
    bus.AddConsumer<SensorStatusSnapshotConsumer>().Endpoint(endpoint => endpoint.PerInstance());
});
builder.Services.AddRequestProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseProblemResponses();
app.UseServiceAuthentication();
app.MapDefaultEndpoints();
app.MapOpenApi();

// Operators' API: through the gateway, which forwards who is signed in; the simulator provisions its fleet.
var operators = app.MapGroup("").RequireCallers(ServiceCallers.Gateway);
var provisioning = app.MapGroup("").RequireCallers(ServiceCallers.Gateway, ServiceCallers.Simulator);
provisioning.MapSensorsApi();
operators.MapSensorEditApi();
operators.MapSensorQueriesApi();
operators.MapSensorExportApi();
operators.MapStatsApi();
provisioning.MapCollectorKeysApi();
operators.MapAuditEntriesApi<MonitorDbContext>("registry");
operators.MapMaintenanceApi();
// The AppHost's resource commands (an operator in the Aspire dashboard).
app.MapGroup("").RequireCallers(ServiceCallers.AppHost).MapOperationsApi();
// The ingestion API's key look-ups.
app.MapGroup("").RequireCallers(ServiceCallers.Ingestion).MapCredentialsApi();

await app.PrepareDatabaseAsync();
app.Run();

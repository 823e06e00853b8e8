using Alerting.Service;
using Alerting.Service.Channels;
using Alerting.Service.Delivery;
using Alerting.Service.Rules;
using Alerting.Service.Storage;
using Alerting.Service.Webhooks;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Sensors360.Contracts;
using Sensors360.Messaging;
using Sensors360.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceAuthentication();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<AlertingMetrics>();

// Its own login, which may use the alerting schema only: this service makes the outbound calls, the worker none.
builder.AddNpgsqlDataSource("sensorsdb");
builder.Services.AddDbContextPool<AlertingDbContext>((services, options) => options
    .UseNpgsql(services.GetRequiredService<Npgsql.NpgsqlDataSource>(), AlertingDbContext.ConfigureNpgsql)
    .UseSnakeCaseNamingConvention());
builder.EnrichNpgsqlDbContext<AlertingDbContext>();

builder.AddWebhooks();
builder.Services.AddValidatedOptions<DeliveryOptions>(DeliveryOptions.Section);
builder.Services.AddValidatedOptions<SmtpOptions>(SmtpOptions.Section);
builder.Services.AddSingleton<EmailSender>();
builder.Services.AddSingleton<ChatSender>();
builder.Services.AddHostedService<AlertDispatcher>();

builder.AddSensorsMessaging(bus =>
{
    bus.AddConsumer<SensorStateChangedWebhookConsumer, SensorStateChangedWebhookConsumerDefinition>();
    bus.AddConsumer<SensorAtRiskWebhookConsumer, SensorAtRiskWebhookConsumerDefinition>();
    bus.AddConsumer<AlertRouter, AlertRouterDefinition>();
});
builder.Services.AddRequestProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseProblemResponses();
app.UseServiceAuthentication();
app.MapDefaultEndpoints();
app.MapOpenApi();

// Admins' API, through the gateway, which forwards who is signed in.
var operators = app.MapGroup("").RequireCallers(ServiceCallers.Gateway);
operators.MapWebhooksApi();
operators.MapChannelsApi();
operators.MapRulesApi();
operators.MapDeliveriesApi();
operators.MapAuditEntriesApi<AlertingDbContext>("alerting service");

await app.PrepareDatabaseAsync();
app.Run();

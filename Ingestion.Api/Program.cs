using Ingestion.Api;
using Ingestion.Api.Admission;
using Ingestion.Api.Apis;
using Ingestion.Api.Credentials;
using Ingestion.Api.Heartbeats;
using Ingestion.Api.Mqtt;
using MassTransit;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Sensors360.Contracts;
using Sensors360.Messaging;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddValidatedOptions<IngestionOptions>(IngestionOptions.Section);
builder.Services.AddSingleton(TimeProvider.System);

// Credentials: loaded from Monitor.Worker, then kept fresh by registry events.
builder.Services.AddSingleton<CredentialCache>();
builder.Services.AddSingleton<CredentialReloads>();
builder.Services.AddServiceKeyOptions();
builder.Services.AddHttpClient<CredentialLoader>((services, http) =>
    http.BaseAddress = services.GetRequiredService<IOptions<IngestionOptions>>().Value.CredentialsSource).AddServiceKey();
builder.Services.AddHostedService(services => services.GetRequiredService<CredentialLoader>());
builder.Services.AddHttpClient(CredentialLookup.HttpClientName, (services, http) =>
    http.BaseAddress = services.GetRequiredService<IOptions<IngestionOptions>>().Value.CredentialsSource).AddServiceKey();
builder.Services.AddSingleton<CredentialLookup>();
builder.Services.AddHealthChecks().AddCheck<CredentialsHealthCheck>("credentials", tags: ["ready"]);

// Backpressure: heartbeats are refused (503) while the monitor's backlog is over Ingestion:MaxBacklogMessages.
builder.AddHeartbeatBacklogProbe();
builder.Services.AddHealthChecks().AddCheck<BacklogHealthCheck>("heartbeat-backlog", tags: ["ready"]);

// Admission, before any heartbeat is read: the key (an authentication scheme and policy), the backlog, the key's rate.
builder.Services.AddHeartbeatAdmission();

builder.Services.AddSingleton<HeartbeatBatcher>();
builder.Services.AddHostedService(services => services.GetRequiredService<HeartbeatBatcher>());

// MQTT: RabbitMQ's MQTT plugin takes devices' messages; this service signs the devices in (the broker asks it over
// HTTP) and forwards what they publish, checked as the HTTP API checks it.
builder.Services.AddValidatedOptions<MqttOptions>(MqttOptions.Section)
    .Validate(options => !options.Enabled || options.BrokerKey.Length >= 16,
        $"{MqttOptions.Section}:BrokerKey must have at least 16 characters, or be empty (no MQTT ingest).");
builder.Services.AddSingleton<MqttForwarder>();
builder.Services.AddHostedService(services => services.GetRequiredService<MqttForwarder>());
builder.Services.AddHttpClient(MqttSessions.HttpClientName);
builder.Services.AddSingleton<MqttSessions>();
builder.Services.AddHostedService(services => services.GetRequiredService<MqttSessions>());

builder.Services.AddReceiveEndpointObserver<ReloadCredentialsOnReconnect>();
builder.AddSensorsMessaging(bus =>
    // A temporary (auto-delete) queue per instance: every API replica hears every registry event.
    bus.AddConsumer<RegistryEventsConsumer>().Endpoint(endpoint => endpoint.PerInstance()));
builder.Services.AddRequestProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseProblemResponses(hsts: true);
// Sensors on legacy firmware cannot do TLS: the heartbeat API stays on plain HTTP even with a certificate. So does the
// broker's sign-in of MQTT devices: RabbitMQ's HTTP auth backend is not given the certificate to trust.
app.UseHttpsWhenCertificateConfigured(plainHttpAllowed: context => context.Request.Path.StartsWithSegments("/api")
    || context.Request.Path.StartsWithSegments(ServiceCallers.BrokerAuthPath));
app.UseHeartbeatAdmission();
app.MapDefaultEndpoints();
app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}
app.MapHeartbeatApi();
app.MapBrokerAuthApi();

app.Run();

using Microsoft.Extensions.Configuration;
using Sensors360.AppHost;
using Sensors360.AppHost.Infrastructure;
using Sensors360.Contracts;

var builder = DistributedApplication.CreateBuilder(args);

// Topology:Mode=single runs one of everything; ha runs Topology:Replicas (2) of each service, three RabbitMQ nodes and
// a PostgreSQL standby. The public ports are the same in both: the replicas share one address.
var topology = TopologyOptions.From(builder.Configuration);

// Infrastructure: PostgreSQL ("postgres" / database "sensorsdb") and RabbitMQ ("messaging"),
// as containers when a container runtime answers, else as the machine's own processes.
// Each service connects with a login of its own (ServiceAccess: only the rights it needs).
var infrastructure = builder.AddSensorsInfrastructure(topology);

// Services prove who they are to each other with keys issued here (Parameters:service-key-<caller>).
var gatewayKey = builder.AddServiceKey(ServiceCallers.Gateway);
var ingestionKey = builder.AddServiceKey(ServiceCallers.Ingestion);
var simulatorKey = builder.AddServiceKey(ServiceCallers.Simulator);
var brokerKey = builder.AddServiceKey(ServiceCallers.Broker);
// The AppHost's own, for the resource commands an operator runs from the Aspire dashboard (OperatorCommands).
var appHostKey = builder.AddServiceKey(ServiceCallers.AppHost);

// Services
// One retention for both: the API refuses what the worker would drop.
var retentionDays = builder.Configuration["Sensors:RetentionDays"] ?? "90";

var monitorWorker = builder.AddProject<Projects.Monitor_Worker>("monitor-worker")
    .WithDatabase(infrastructure, ServiceAccess.MonitorWorkerDatabase)
    .WithReadOnlyDatabase(infrastructure, ServiceAccess.MonitorWorkerDatabase)
    .WithMessaging(infrastructure, ServiceAccess.MonitorWorkerBroker)
    .WithTopology(topology)
    .WithEnvironment("Monitor__RetentionDays", retentionDays)
    .WithCaller(ServiceCallers.Gateway, gatewayKey)
    .WithCaller(ServiceCallers.Ingestion, ingestionKey)
    .WithCaller(ServiceCallers.Simulator, simulatorKey)
    .WithCaller(ServiceCallers.AppHost, appHostKey)
    .WithScanNowCommand(appHostKey)
    .WithScoreNowCommand(appHostKey)
    .WithHttpHealthCheck("/health"); // not external: operators reach its API through the gateway only

var ingestionApi = builder.AddProject<Projects.Ingestion_Api>("ingestion-api") // no database at all
    .WithMessaging(infrastructure, ServiceAccess.IngestionBroker)
    .WithTopology(topology)
    .WithReference(monitorWorker).WaitFor(monitorWorker) // credentials; the worker also migrates the schema
    .WithEnvironment("Ingestion__RetentionDays", retentionDays)
    .WithServiceKey(ingestionKey)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints()
    .WithConfiguredHttpPort("Ports:Ingestion")
    .WithConfiguredHttps("Ports:IngestionHttps");

// MQTT devices publish to RabbitMQ's MQTT plugin (Ports:Mqtt); the broker signs them in by asking the ingestion API,
// which forwards what they publish onto the heartbeats path.
infrastructure.AddMqttIngest(ingestionApi, brokerKey);

// Alerts: webhooks, email and chat channels. The only service that calls out of the system, and it has no access to the
// monitor's data (its own schema and login). Alerting:* settings given to the AppHost (e.g. Alerting__Smtp__Host) are
// passed on.
var alertingService = builder.AddProject<Projects.Alerting_Service>("alerting-service")
    .WithDatabase(infrastructure, ServiceAccess.AlertingDatabase)
    .WithMessaging(infrastructure, ServiceAccess.AlertingBroker)
    .WithTopology(topology)
    .WithCaller(ServiceCallers.Gateway, gatewayKey)
    .WithSettings(builder.Configuration, "Alerting")
    .WithHttpHealthCheck("/health");

// Front door
// The first Admin's password (user "admin"): Parameters:admin-password, generated when not given.
var adminPassword = builder.AddParameter("admin-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true);

var dashboardWeb = builder.AddProject<Projects.Dashboard_Web>("dashboard-web")
    .WithCaller(ServiceCallers.Gateway, gatewayKey)
    .WithTopology(topology)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.Realtime_Gateway>("realtime-gateway")
    .WithDatabase(infrastructure, ServiceAccess.GatewayDatabase)
    .WithMessaging(infrastructure, ServiceAccess.GatewayBroker)
    .WithTopology(topology)
    .WithReference(monitorWorker).WaitFor(monitorWorker)
    .WithReference(alertingService).WaitFor(alertingService)
    .WithReference(dashboardWeb).WaitFor(dashboardWeb)
    .WithEnvironment("Gateway__AdminPassword", adminPassword)
    .WithServiceKey(gatewayKey)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints()
    .WithConfiguredHttpPort("Ports:Gateway")
    .WithConfiguredHttps("Ports:GatewayHttps");

// Demo fleet: 200 simulated sensors posting through the real APIs (Simulator:Enabled=false turns it off).
if (builder.Configuration.GetValue("Simulator:Enabled", true))
{
    var dataRoot = builder.Configuration["Infrastructure:DataDirectory"] is { Length: > 0 } configured
        ? configured
        : Path.Combine(builder.AppHostDirectory, "..", ".data");
    var simulator = builder.AddProject<Projects.Sensors360_Simulator>("simulator")
        .WithReference(monitorWorker).WaitFor(monitorWorker)
        .WithReference(ingestionApi).WaitFor(ingestionApi)
        // Where its sensors publish when Simulator:Protocol=mqtt (a TCP endpoint, which service discovery does not resolve).
        .WithEnvironment("Simulator__MqttAddress", infrastructure.MqttEndpoint())
        .WithEnvironment("Simulator__DataDirectory", Path.GetFullPath(Path.Combine(dataRoot, "simulator")))
        .WithServiceKey(simulatorKey);
    // Any other Simulator:* setting given to the AppHost (e.g. Simulator__SensorCount=50) is passed on.
    simulator.WithSettings(builder.Configuration, "Simulator", except: ["Enabled", "DataDirectory"]);
}

builder.Build().Run();

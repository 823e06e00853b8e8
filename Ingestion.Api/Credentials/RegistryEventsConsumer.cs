using Ingestion.Api.Mqtt;
using MassTransit;
using Sensors360.Contracts;

namespace Ingestion.Api.Credentials;

/// <summary>
/// Applies registry events to the credential cache. Every API instance has its own temporary queue (see
/// Program.cs), so each one hears every event.
/// </summary>
public sealed class RegistryEventsConsumer(CredentialCache cache, MqttSessions mqtt) :
    IConsumer<SensorRegistered>, IConsumer<SensorRetired>, IConsumer<SensorEdited>, IConsumer<SensorKeyRotated>,
    IConsumer<CollectorKeyCreated>, IConsumer<CollectorKeyRevoked>
{
    public Task Consume(ConsumeContext<SensorRegistered> context) => Apply(context.Message);

    public Task Consume(ConsumeContext<SensorRetired> context)
    {
        mqtt.CloseSensor(context.Message.SensorId, "the sensor was retired");
        return Apply(context.Message);
    }

    public Task Consume(ConsumeContext<SensorEdited> context) => Apply(context.Message);

    public Task Consume(ConsumeContext<SensorKeyRotated> context)
    {
        mqtt.CloseSensor(context.Message.SensorId, "the sensor's key was rotated");
        return Apply(context.Message);
    }

    public Task Consume(ConsumeContext<CollectorKeyCreated> context) => Apply(context.Message);

    public Task Consume(ConsumeContext<CollectorKeyRevoked> context) => Apply(context.Message);

    Task Apply(object registryEvent)
    {
        cache.Apply(registryEvent);
        return Task.CompletedTask;
    }
}

using MassTransit;
using Sensors360.Contracts;

namespace Monitor.Worker.Monitoring;

/// <summary>The most recent fleet snapshot, whichever replica published it.</summary>
public sealed class LatestSnapshot
{
    volatile SensorStatusSnapshot? _value;

    public SensorStatusSnapshot? Value => _value;

    public void Set(SensorStatusSnapshot snapshot)
    {
        if (_value is not { } current || snapshot.At >= current.At)
        {
            _value = snapshot;
        }
    }
}

/// <summary>Every replica hears every snapshot (temporary queue per instance), so any of them can serve /api/stats.</summary>
public sealed class SensorStatusSnapshotConsumer(LatestSnapshot latest) : IConsumer<SensorStatusSnapshot>
{
    public Task Consume(ConsumeContext<SensorStatusSnapshot> context)
    {
        latest.Set(context.Message);
        return Task.CompletedTask;
    }
}

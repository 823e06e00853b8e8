namespace Ingestion.Api.Credentials;

/// <summary>
/// The credentials every request is checked against, in memory. A full load replaces the set; registry events
/// that arrive while a load runs are recorded and replayed onto the new set, so none is lost to the swap.
/// </summary>
public sealed class CredentialCache(TimeProvider clock)
{
    readonly Lock _gate = new();
    volatile CredentialSet _current = new();
    List<object>? _eventsDuringLoad;
    DateTimeOffset? _loadedAt;

    public CredentialSet Current => _current;

    /// <summary>Null until the first full load finished; requests are refused with 503 until then.</summary>
    public DateTimeOffset? LoadedAt
    {
        get { lock (_gate) { return _loadedAt; } }
    }

    public void Apply(object registryEvent)
    {
        lock (_gate)
        {
            _current.Apply(registryEvent);
            _eventsDuringLoad?.Add(registryEvent);
        }
    }

    /// <summary>Call before fetching a full snapshot; then <see cref="CompleteLoad"/> or <see cref="AbandonLoad"/>.</summary>
    public void BeginLoad()
    {
        lock (_gate)
        {
            _eventsDuringLoad = [];
        }
    }

    public void CompleteLoad(CredentialSet loaded)
    {
        lock (_gate)
        {
            foreach (var registryEvent in _eventsDuringLoad ?? [])
            {
                loaded.Apply(registryEvent);
            }
            _eventsDuringLoad = null;
            _current = loaded;
            _loadedAt = clock.GetUtcNow();
        }
    }

    public void AbandonLoad()
    {
        lock (_gate)
        {
            _eventsDuringLoad = null;
        }
    }
}

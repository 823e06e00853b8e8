namespace Sensors360.Simulator.Tests.Support;

public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("s360-sim-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

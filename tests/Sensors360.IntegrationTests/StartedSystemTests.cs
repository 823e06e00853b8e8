namespace Sensors360.IntegrationTests;

/// <summary>A test class on the shared started system, with a <see cref="SensorsApi"/> made for each test and disposed after it.</summary>
public abstract class StartedSystemTests(SensorsAppFixture fixture) : IAsyncLifetime
{
    protected SensorsApi Api { get; private set; } = null!;

    protected DistributedApplication App => fixture.App;

    public virtual Task InitializeAsync()
    {
        Api = new SensorsApi(fixture.App);
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync() => await Api.DisposeAsync();
}

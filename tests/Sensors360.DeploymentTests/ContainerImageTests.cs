using System.Text.Json;
using Microsoft.Extensions.Hosting;

namespace Sensors360.DeploymentTests;

/// <summary>
/// Every project the AppHost runs is a container image the .NET SDK can build (`dotnet publish -t:PublishContainer`):
/// read from the project files as MSBuild evaluates them. Nothing is built: no registry is reachable here.
/// </summary>
public sealed class ContainerImageTests
{
    /// <summary>The AppHost's projects, by resource name, with their project files.</summary>
    static async Task<Dictionary<string, string>> ServicesAsync()
    {
        await using var model = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Sensors360_AppHost>(["--Infrastructure:Mode=local"]);
        return model.Resources.OfType<ProjectResource>().ToDictionary(
            p => p.Name, p => p.GetProjectMetadata().ProjectPath);
    }

    [Fact]
    public async Task Every_service_is_an_image_named_after_its_resource_running_as_a_non_root_user()
    {
        var services = await ServicesAsync();
        Assert.Equal(["alerting-service", "dashboard-web", "ingestion-api", "monitor-worker", "realtime-gateway", "simulator"], services.Keys.Order());

        var evaluated = await Task.WhenAll(services.Select(async s => (Name: s.Key, Image: await ImageAsync(s.Value))));
        foreach (var (name, image) in evaluated)
        {
            Assert.True(image.Property("EnableSdkContainerSupport") == "true", $"{name}: container support is off");
            Assert.Equal($"sensors360/{name}", image.Property("ContainerRepository"));
            Assert.Equal("app", image.Property("ContainerUser"));
            Assert.Contains("latest", image.Property("ContainerImageTags").Split(';'));
        }
        // Each image its own name: one repository per service.
        Assert.Equal(evaluated.Length, evaluated.Select(e => e.Image.Property("ContainerRepository")).Distinct().Count());
    }

    [Theory]
    [InlineData("ingestion-api")]
    [InlineData("monitor-worker")]
    [InlineData("alerting-service")]
    [InlineData("realtime-gateway")]
    [InlineData("dashboard-web")]
    public async Task A_web_service_image_listens_on_8080_and_names_the_probe_paths_the_service_maps(string name)
    {
        var image = await ImageAsync((await ServicesAsync())[name]);

        var port = Assert.Single(image.Items("ContainerPort"));
        Assert.Equal(("8080", "tcp"), (port.Identity, port.Metadata("Type")));
        Assert.Contains(image.Items("ContainerEnvironmentVariable"), v => v.Identity == "ASPNETCORE_HTTP_PORTS" && v.Metadata("Value") == "8080");
        var labels = image.Items("ContainerLabel").ToDictionary(l => l.Identity, l => l.Metadata("Value"));
        Assert.Equal(Extensions.AlivenessEndpointPath, labels["io.sensors360.probe.liveness"]);
        Assert.Equal(Extensions.HealthEndpointPath, labels["io.sensors360.probe.readiness"]);
    }

    static async Task<EvaluatedProject> ImageAsync(string projectPath)
    {
        var output = await Command.RunAsync(Repository.Root, "dotnet",
            "msbuild", projectPath, "-nologo",
            "-getProperty:EnableSdkContainerSupport", "-getProperty:ContainerRepository", "-getProperty:ContainerUser",
            "-getProperty:ContainerImageTags", "-getItem:ContainerPort", "-getItem:ContainerLabel", "-getItem:ContainerEnvironmentVariable");
        return new EvaluatedProject(JsonDocument.Parse(output).RootElement);
    }

    sealed record EvaluatedProject(JsonElement Root)
    {
        public string Property(string name) => Root.GetProperty("Properties").GetProperty(name).GetString() ?? "";

        public IEnumerable<EvaluatedItem> Items(string type) =>
            Root.GetProperty("Items").TryGetProperty(type, out var items) ? items.EnumerateArray().Select(i => new EvaluatedItem(i)) : [];
    }

    sealed record EvaluatedItem(JsonElement Item)
    {
        public string Identity => Item.GetProperty("Identity").GetString()!;

        public string? Metadata(string name) => Item.TryGetProperty(name, out var value) ? value.GetString() : null;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sensors360.Messaging;

namespace Sensors360.Messaging.Tests;

public sealed class MessagingOptionsTests
{
    // A port nothing listens on: these hosts must stop at validation, before any connection matters.
    const string Broker = "amqp://guest:guest@127.0.0.1:1";

    static IHost Service(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(
            [new("ConnectionStrings:messaging", Broker), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]);
        builder.AddSensorsMessaging();
        return builder.Build();
    }

    [Fact]
    public void Queues_are_classic_unless_quorum_queues_are_asked_for()
    {
        using var classic = Service();
        using var quorum = Service(("Messaging:QuorumQueues", "true"));

        Assert.False(classic.Services.GetRequiredService<IOptions<MessagingOptions>>().Value.QuorumQueues);
        Assert.True(quorum.Services.GetRequiredService<IOptions<MessagingOptions>>().Value.QuorumQueues);
    }

    [Fact]
    public async Task A_service_with_a_quorum_queues_setting_that_is_not_a_boolean_stops_at_start_naming_it()
    {
        using var service = Service(("Messaging:QuorumQueues", "yes"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => service.StartAsync());

        Assert.Contains("Messaging:QuorumQueues", error.Message);
    }
}

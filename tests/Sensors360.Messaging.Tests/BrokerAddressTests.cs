using Microsoft.Extensions.Configuration;
using Sensors360.Messaging;

namespace Sensors360.Messaging.Tests;

public sealed class BrokerAddressTests
{
    [Fact]
    public void A_single_URI_gives_one_node_with_its_user_password_and_the_default_virtual_host()
    {
        var broker = BrokerAddress.Parse("amqp://sensors360:s3cret@127.0.0.1:5673");

        Assert.Equal("sensors360", broker.UserName);
        Assert.Equal("s3cret", broker.Password);
        Assert.Equal("/", broker.VirtualHost);
        Assert.Equal([new BrokerNode("127.0.0.1", 5673)], broker.Nodes);
    }

    [Fact]
    public void Several_URIs_separated_by_commas_give_every_node_in_order()
    {
        var broker = BrokerAddress.Parse("amqp://u:p@127.0.0.1:5672, amqp://u:p@127.0.0.1:5673,amqp://u:p@localhost:5674");

        Assert.Equal("u", broker.UserName);
        Assert.Equal("p", broker.Password);
        Assert.Equal(
            [new BrokerNode("127.0.0.1", 5672), new BrokerNode("127.0.0.1", 5673), new BrokerNode("localhost", 5674)],
            broker.Nodes);
        Assert.Equal(["127.0.0.1:5672", "127.0.0.1:5673", "localhost:5674"], broker.Endpoints.Select(e => $"{e.HostName}:{e.Port}"));
    }

    [Fact]
    public void The_port_defaults_to_5672_and_escaped_credentials_and_virtual_host_are_unescaped()
    {
        var broker = BrokerAddress.Parse("amqp://us%40er:p%3Aw%2Cd@broker.test/sensors%2Fprod");

        Assert.Equal("us@er", broker.UserName);
        Assert.Equal("p:w,d", broker.Password);
        Assert.Equal("sensors/prod", broker.VirtualHost);
        Assert.Equal([new BrokerNode("broker.test", 5672)], broker.Nodes);
    }

    [Fact]
    public void Without_user_info_the_clients_default_guest_login_is_used()
    {
        var broker = BrokerAddress.Parse("amqp://127.0.0.1:5672/");

        Assert.Equal(("guest", "guest", "/"), (broker.UserName, broker.Password, broker.VirtualHost));
    }

    [Fact]
    public void The_connection_factory_signs_in_as_the_user_on_the_virtual_host_at_the_first_node()
    {
        var factory = BrokerAddress.Parse("amqp://u:p@10.0.0.1:5701/v,amqp://u:p@10.0.0.2:5702/v").CreateConnectionFactory();

        Assert.Equal(("u", "p", "v"), (factory.UserName, factory.Password, factory.VirtualHost));
        Assert.Equal(("10.0.0.1", 5701), (factory.HostName, factory.Port));
    }

    [Fact]
    public void Its_text_form_lists_the_nodes_and_never_the_password()
    {
        var text = BrokerAddress.Parse("amqp://u:hunter2@127.0.0.1:5672,amqp://u:hunter2@127.0.0.1:5673").ToString();

        Assert.Equal("amqp://u@127.0.0.1:5672,127.0.0.1:5673/", text);
    }

    [Theory]
    [InlineData("amqp://u:p@127.0.0.1:5672,amqp://u:other@127.0.0.1:5673", "node 2 (127.0.0.1:5673) signs in with a different user or password from node 1")]
    [InlineData("amqp://u:p@127.0.0.1:5672,amqp://v:p@127.0.0.1:5673", "node 2 (127.0.0.1:5673) signs in with a different user or password from node 1")]
    [InlineData("amqp://u:p@127.0.0.1:5672,amqp://127.0.0.1:5673", "node 2 (127.0.0.1:5673) signs in with a different user or password from node 1")]
    [InlineData("amqp://u:p@127.0.0.1:5672/a,amqp://u:p@127.0.0.1:5673/b", "node 2 (127.0.0.1:5673) names virtual host 'b', node 1 'a'")]
    [InlineData("http://u:p@127.0.0.1:5672", "node 1 of 1 has scheme 'http'; only amqp:// is supported")]
    [InlineData("amqp://u:p@127.0.0.1:5672,amqps://u:p@127.0.0.1:5671", "node 2 of 2 has scheme 'amqps'; only amqp:// is supported")]
    [InlineData("amqp://u:p@127.0.0.1:5672,", "node 2 of 2 is empty (a stray comma?)")]
    [InlineData("amqp//u:p@127.0.0.1:5672", "node 1 of 1 is not a URI")]
    [InlineData("amqp://u@127.0.0.1:5672", "node 1 of 1 (127.0.0.1) gives a user but no password")]
    [InlineData("amqp://u:p@127.0.0.1:5672/a/b", "node 1 of 1 (127.0.0.1) has a path of several segments")]
    [InlineData("amqp://u:p@127.0.0.1:5672/?heartbeat=10", "node 1 of 1 (127.0.0.1) has a query or fragment")]
    [InlineData("  ", "it is empty")]
    public void A_malformed_connection_string_is_refused_naming_the_setting_and_the_problem(string value, string problem)
    {
        var error = Assert.Throws<FormatException>(() => BrokerAddress.Parse(value));

        Assert.StartsWith("Connection string 'messaging' (ConnectionStrings__messaging) is malformed: ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain("other", error.Message);   // no password is quoted back
    }

    [Fact]
    public void A_missing_connection_string_is_refused_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => BrokerAddress.FromConfiguration(configuration));

        Assert.Contains("ConnectionStrings__messaging", error.Message);
    }

    [Fact]
    public void The_connection_string_is_read_from_configuration_by_name()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("ConnectionStrings:messaging", "amqp://u:p@127.0.0.1:5672,amqp://u:p@127.0.0.1:5673")])
            .Build();

        Assert.Equal(2, BrokerAddress.FromConfiguration(configuration).Nodes.Count);
    }
}

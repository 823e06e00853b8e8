using Ingestion.Api.Mqtt;

namespace Ingestion.Api.Tests.Mqtt;

public sealed class MqttSignInTests
{
    [Theory]
    [InlineData("42", "", 42L, null)]
    [InlineData("north-gateway", "collector-7", null, 7L)]
    [InlineData("collector-7", "collector-7", null, 7L)]
    [InlineData("42", "management collector-9", null, 9L)] // the tag, which the broker got from our answer, decides
    public void The_broker_asks_about_a_sensor_by_its_user_name_and_a_collector_by_its_tag(string userName, string tags, long? sensorId, long? collectorKeyId) =>
        Assert.Equal(new MqttUser(sensorId, collectorKeyId), MqttUser.Signed(userName, tags));

    [Theory]
    [InlineData("north-gateway", "")]
    [InlineData("collector-7", "")] // a user name alone never makes a collector: only our sign-in answer does
    [InlineData("0", "")]
    [InlineData("north-gateway", "collector-x")]
    public void Anyone_else_is_nobody(string userName, string tags) => Assert.Null(MqttUser.Signed(userName, tags));
}

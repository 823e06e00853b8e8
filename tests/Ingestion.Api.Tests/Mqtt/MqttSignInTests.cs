using Ingestion.Api.Mqtt;

namespace Ingestion.Api.Tests.Mqtt;

public sealed class MqttSignInTests
{
    const string BrokerKey = "0123456789abcdef0123";
    static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

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

    [Fact]
    public void A_session_token_signs_in_only_the_user_it_was_made_for_until_it_expires()
    {
        var token = MqttSessionToken.Create("42", BrokerKey, Now);

        Assert.True(MqttSessionToken.IsToken(token));
        Assert.True(MqttSessionToken.IsValid("42", token, BrokerKey, Now.AddSeconds(30)));
        Assert.False(MqttSessionToken.IsValid("42", token, BrokerKey, Now.AddSeconds(31)));
        Assert.False(MqttSessionToken.IsValid("43", token, BrokerKey, Now));
        Assert.False(MqttSessionToken.IsValid("42", token, BrokerKey + "x", Now));
        Assert.False(MqttSessionToken.IsValid("42", token[..^1] + (token[^1] == '0' ? '1' : '0'), BrokerKey, Now));
        // A later expiry cannot be written in: the signature covers it.
        var parts = token.Split('_');
        Assert.False(MqttSessionToken.IsValid("42", $"{parts[0]}_{long.Parse(parts[1]) + 3600}_{parts[2]}", BrokerKey, Now.AddHours(1)));
        Assert.False(MqttSessionToken.IsToken("s360s_abc"));
    }
}

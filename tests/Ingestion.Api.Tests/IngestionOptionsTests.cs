using Microsoft.Extensions.Options;
using Sensors360.TestSupport;

namespace Ingestion.Api.Tests;

public sealed class IngestionOptionsTests
{
    [Fact]
    public void The_defaults_are_valid() =>
        Assert.Equal(60, Resolve().SensorKeyRateLimit.Burst);

    [Theory]
    [InlineData("Ingestion:SensorKeyRateLimit:Burst", "0", "Burst")]
    [InlineData("Ingestion:CollectorKeyRateLimit:HeartbeatsPerSecond", "0", "HeartbeatsPerSecond")]
    [InlineData("Ingestion:SensorKeyRateLimit:RequestsPerSecond", "10", "renamed HeartbeatsPerSecond")]
    [InlineData("Ingestion:MaxItemsPerRequest", "0", "MaxItemsPerRequest")]
    public void A_value_out_of_range_anywhere_in_the_section_is_refused_naming_it(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve((key, value)));
        Assert.Contains(named, error.Message);
    }

    static IngestionOptions Resolve(params (string Key, string Value)[] settings) =>
        SettingsHarness.Resolve<IngestionOptions>(IngestionOptions.Section, settings);
}

using Sensors360.Monitoring.Prediction;

namespace Sensors360.Monitoring.Tests.Prediction;

public sealed class StoredScoreTests
{
    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 0)]
    public void Features_read_back_from_their_numbers_are_the_features_stored(bool measured, int flaps)
    {
        var features = new SensorFeatures(42, 13.5, 600, 612.25, measured, 21_600, 86_400, 1_209_600, 1.75, -0.5, 0.125, 2.5, flaps);

        var numbers = StoredScore.Features(features);

        Assert.Equal(StoredScore.FeatureCount, numbers.Length);
        Assert.Equal(features, StoredScore.Features(42, numbers));
    }

    [Fact]
    public void Contributions_are_named_after_the_model_inputs_in_order()
    {
        double[] values = [1, 2, 3, 4, 5, 6];
        double[] logOdds = [-1, -2, -3, -4, -5, -6];

        var contributions = StoredScore.Contributions(values, logOdds);

        Assert.Equal(ModelInputs.Names, contributions.Select(c => c.Feature));
        Assert.Equal(values, contributions.Select(c => c.Value));
        Assert.Equal(logOdds, contributions.Select(c => c.LogOdds));
    }
}

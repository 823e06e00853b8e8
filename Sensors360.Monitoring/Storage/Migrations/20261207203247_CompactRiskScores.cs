using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sensors360.Monitoring.Storage.Migrations
{
    /// <inheritdoc />
    public partial class CompactRiskScores : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Every scoring pass rewrites every scored sensor's row, and the features and contributions were about 1 KB of
            // its 1.1 KB as JSON. They are now numbers in a fixed order (Sensors360.Monitoring.Prediction.StoredScore);
            // the scores already stored are converted, so that a sensor at risk stays at risk since the same moment.
            migrationBuilder.Sql("""
                ALTER TABLE sensor_risks
                    ADD COLUMN feature_numbers double precision[],
                    ADD COLUMN contribution_values double precision[],
                    ADD COLUMN contribution_log_odds double precision[];
                UPDATE sensor_risks SET
                    feature_numbers = ARRAY(
                        SELECT coalesce(CASE jsonb_typeof(features -> name) WHEN 'boolean' THEN (features ->> name)::boolean::integer
                                                 ELSE (features ->> name)::double precision END, 0)
                        FROM unnest(ARRAY['ageDays', 'expectedSeconds', 'baselineSeconds', 'measuredBaseline', 'recentWindowSeconds',
                                          'trendWindowSeconds', 'baselineWindowSeconds', 'intervalRatio', 'trendLog2', 'missedRatio',
                                          'variabilityRatio', 'flaps']) WITH ORDINALITY AS f(name, n)
                        ORDER BY n),
                    contribution_values = ARRAY(
                        SELECT coalesce((c ->> 'value')::double precision, 0)
                        FROM jsonb_array_elements(contributions) WITH ORDINALITY AS e(c, n) ORDER BY n),
                    contribution_log_odds = ARRAY(
                        SELECT coalesce((c ->> 'logOdds')::double precision, 0)
                        FROM jsonb_array_elements(contributions) WITH ORDINALITY AS e(c, n) ORDER BY n);
                ALTER TABLE sensor_risks
                    DROP COLUMN features,
                    DROP COLUMN contributions,
                    ALTER COLUMN feature_numbers SET NOT NULL,
                    ALTER COLUMN contribution_values SET NOT NULL,
                    ALTER COLUMN contribution_log_odds SET NOT NULL;
                ALTER TABLE sensor_risks RENAME COLUMN feature_numbers TO features;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back to JSON with the same names; the next pass rewrites every row anyway.
            migrationBuilder.Sql("""
                ALTER TABLE sensor_risks
                    ADD COLUMN features_json jsonb,
                    ADD COLUMN contributions jsonb;
                UPDATE sensor_risks SET
                    features_json = jsonb_build_object(
                        'sensorId', sensor_id, 'ageDays', features[1], 'expectedSeconds', features[2], 'baselineSeconds', features[3],
                        'measuredBaseline', features[4] <> 0, 'recentWindowSeconds', features[5], 'trendWindowSeconds', features[6],
                        'baselineWindowSeconds', features[7], 'intervalRatio', features[8], 'trendLog2', features[9],
                        'missedRatio', features[10], 'variabilityRatio', features[11], 'flaps', features[12]::integer),
                    contributions = coalesce((
                        SELECT jsonb_agg(jsonb_build_object('feature', name, 'value', contribution_values[n], 'logOdds', contribution_log_odds[n])
                                         ORDER BY n)
                        FROM unnest(ARRAY['interval', 'trend', 'missed', 'variability', 'flaps', 'age']) WITH ORDINALITY AS i(name, n)
                        WHERE n <= cardinality(contribution_values)), '[]');
                ALTER TABLE sensor_risks
                    DROP COLUMN features,
                    DROP COLUMN contribution_values,
                    DROP COLUMN contribution_log_odds,
                    ALTER COLUMN features_json SET NOT NULL,
                    ALTER COLUMN contributions SET NOT NULL;
                ALTER TABLE sensor_risks RENAME COLUMN features_json TO features;
                """);
        }
    }
}

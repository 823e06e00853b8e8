using CsvHelper.Configuration;

namespace Sensors360.History;

/// <summary>The columns of <c>history-truth.csv</c>, in order.</summary>
internal sealed class HistoryTruthRowMap : ClassMap<HistoryTruthRow>
{
    public HistoryTruthRowMap()
    {
        Map(r => r.SensorId).Name("sensor_id");
        Map(r => r.Tag).Name("tag");
        Map(r => r.Slot).Name("slot");
        Map(r => r.InstalledAt).Name("installed_at").TypeConverter(UtcTimeConverter.Required);
        Map(r => r.DeathAt).Name("death_at").TypeConverter(UtcTimeConverter.Required);
        Map(r => r.Failure).Name("failure").TypeConverter<LowercaseEnumConverter<HistoryFailure>>();
        Map(r => r.DegradeStart).Name("degrade_start").TypeConverter(UtcTimeConverter.Optional);
        Map(r => r.RetiredAt).Name("retired_at").TypeConverter(UtcTimeConverter.Optional);
        Map(r => r.IntervalSeconds).Name("interval_seconds");
        Map(r => r.Flapping).Name("flapping")
            .TypeConverterOption.BooleanValues(true, true, "true")
            .TypeConverterOption.BooleanValues(false, true, "false");
        ReadThroughConstructor();
    }

    // The row is a positional record: CsvHelper writes its properties but reads through its constructor, so each
    // parameter takes the column and conversion of the property of the same name.
    private void ReadThroughConstructor()
    {
        foreach (var parameter in typeof(HistoryTruthRow).GetConstructors().Single().GetParameters())
        {
            var member = MemberMaps.Single(m => string.Equals(m.Data.Member?.Name, parameter.Name, StringComparison.Ordinal)).Data;
            var map = new ParameterMap(parameter);
            map.Data.Names.AddRange(member.Names);
            map.Data.TypeConverter = member.TypeConverter;
            map.Data.TypeConverterOptions = member.TypeConverterOptions;
            ParameterMaps.Add(map);
        }
    }
}

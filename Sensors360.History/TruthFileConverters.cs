using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.TypeConversion;

namespace Sensors360.History;

/// <summary>
/// A time as ISO-8601 UTC to the second (<see cref="TruthFile.TimeFormat"/>), whatever its offset; empty when there is
/// none, which only an <see cref="Optional"/> column accepts when read.
/// </summary>
public sealed class UtcTimeConverter : DefaultTypeConverter
{
    public static readonly UtcTimeConverter Required = new(optional: false);
    public static readonly UtcTimeConverter Optional = new(optional: true);

    private readonly bool _optional;

    private UtcTimeConverter(bool optional) => _optional = optional;

    public override string ConvertToString(object? value, IWriterRow row, MemberMapData memberMapData) =>
        value is DateTimeOffset time ? time.UtcDateTime.ToString(TruthFile.TimeFormat, CultureInfo.InvariantCulture) : "";

    public override object? ConvertFromString(string? text, IReaderRow row, MemberMapData memberMapData)
    {
        if (string.IsNullOrEmpty(text) && _optional)
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(text, TruthFile.TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : base.ConvertFromString(text, row, memberMapData);
    }
}

/// <summary>An enum member by its name in lower case (<c>degrading</c>); read regardless of case.</summary>
public sealed class LowercaseEnumConverter<TEnum> : DefaultTypeConverter
    where TEnum : struct, Enum
{
    internal static string Names => string.Join(" or ", Enum.GetNames<TEnum>().Select(name => name.ToLowerInvariant()));

    public override string ConvertToString(object? value, IWriterRow row, MemberMapData memberMapData) =>
        value is TEnum member ? member.ToString().ToLowerInvariant() : "";

    public override object? ConvertFromString(string? text, IReaderRow row, MemberMapData memberMapData) =>
        Enum.TryParse<TEnum>(text, ignoreCase: true, out var member) && Enum.IsDefined(member)
            ? member
            : base.ConvertFromString(text, row, memberMapData);
}

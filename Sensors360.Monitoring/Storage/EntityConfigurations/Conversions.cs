using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Sensors360.Monitoring.Model;

namespace Sensors360.Monitoring.Storage.EntityConfigurations;

static class Conversions
{
    /// <summary>States are stored as lower-case text: readable in SQL and in the product's vocabulary.</summary>
    public static PropertyBuilder<SensorState> HasStateText(this PropertyBuilder<SensorState> property) =>
        property
            .HasMaxLength(16)
            .HasConversion(state => state.Name(), text => Enum.Parse<SensorState>(text, true));

    /// <summary>Stored as its API name (<see cref="RetirementReasonNames"/>); null stays null.</summary>
    public static PropertyBuilder<RetirementReason?> HasReasonText(this PropertyBuilder<RetirementReason?> property) =>
        property
            .HasMaxLength(32)
            .HasConversion(new ValueConverter<RetirementReason, string>(
                reason => reason.Name(), text => RetirementReasonNames.Parse(text)!.Value));
}

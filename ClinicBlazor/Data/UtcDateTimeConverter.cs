using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ClinicBlazor.Data;

internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value.ToUniversalTime(), DateTimeKind.Utc),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));

internal sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
    value => value == null ? null : value.Value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value.Value.ToUniversalTime(), DateTimeKind.Utc),
    value => value == null ? null : DateTime.SpecifyKind(value.Value, DateTimeKind.Utc));

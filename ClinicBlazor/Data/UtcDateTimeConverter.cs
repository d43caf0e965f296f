using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ClinicBlazor.Data;

/// <summary>
/// Every instant is stored in UTC and read back as UTC. A value without a kind is taken as UTC (the
/// house rule for instants), never as the machine's zone, which says nothing about the clinic's.
/// </summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));

internal sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
    value => value == null ? null : value.Value.Kind == DateTimeKind.Local ? value.Value.ToUniversalTime() : DateTime.SpecifyKind(value.Value, DateTimeKind.Utc),
    value => value == null ? null : DateTime.SpecifyKind(value.Value, DateTimeKind.Utc));

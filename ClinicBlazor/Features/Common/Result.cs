namespace ClinicBlazor.Features.Common;

/// <summary>
/// The outcome of a business action whose failure is expected (slot taken, changed by someone else):
/// a value the UI shows next to what was typed, never an exception.
/// </summary>
public readonly record struct Result(string? Error, string? Field = null)
{
    public bool Succeeded => Error is null;

    public static Result Ok() => new(null);

    public static Result Fail(string error, string? field = null) => new(error, field);
}

/// <inheritdoc cref="Result"/>
public readonly record struct Result<T>(T? Value, string? Error, string? Field = null)
{
    public bool Succeeded => Error is null;

    public static Result<T> Ok(T value) => new(value, null);

    public static Result<T> Fail(string error, string? field = null) => new(default, error, field);

    public static implicit operator Result<T>(Result failure) =>
        failure.Succeeded ? throw new InvalidOperationException("Only a failure converts.") : new(default, failure.Error, failure.Field);
}

namespace ClinicBlazor.Data;

/// <summary>Which database engine holds the clinic (configuration key <c>Database:Provider</c>).</summary>
public enum DatabaseProvider
{
    /// <summary>One SQLite file beside the app: the embedded default for one node.</summary>
    Sqlite,

    /// <summary>One PostgreSQL database shared by one or more app nodes.</summary>
    PostgreSql,
}

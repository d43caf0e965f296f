using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ClinicBlazor.Features.Common;

/// <summary>A save that failed because the server ran out of room: said plainly at the form, not as a crash.</summary>
public static class StorageFailure
{
    public const string DiskFullSentence = "Could not save: the server's disk is full. Nothing was changed.";

    public static bool IsDiskFull(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is SqliteException { SqliteErrorCode: 13 }
                || current is DbException { SqlState: "53100" }
                || current is IOException { HResult: 28 or unchecked((int)0x80070070) })
            {
                return true;
            }
        }

        return false;
    }
}

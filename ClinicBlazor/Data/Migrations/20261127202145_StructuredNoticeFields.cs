using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBlazor.Data.Migrations
{
    /// <summary>
    /// Cancellation notices keep the patient's first and last name, who cancelled (a kind and a name) and the
    /// reason's code as fields; existing rows are converted from the old "First Last", phrase and label.
    /// </summary>
    public partial class StructuredNoticeFields : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "PatientFirstName", table: "CancellationNotice", type: "TEXT", maxLength: 100, nullable: false, defaultValue: "");
            migrationBuilder.AddColumn<string>(name: "PatientLastName", table: "CancellationNotice", type: "TEXT", maxLength: 100, nullable: false, defaultValue: "");
            migrationBuilder.AddColumn<string>(name: "CancelledByKind", table: "CancellationNotice", type: "TEXT", maxLength: 20, nullable: false, defaultValue: "Staff");
            migrationBuilder.AddColumn<string>(name: "CancelledByName", table: "CancellationNotice", type: "TEXT", maxLength: 200, nullable: false, defaultValue: "");
            migrationBuilder.AddColumn<string>(name: "ReasonCode", table: "CancellationNotice", type: "TEXT", maxLength: 20, nullable: true);

            // Names: the patient's own record when it still reads the same, otherwise split at the first space.
            migrationBuilder.Sql("""
                UPDATE "CancellationNotice" SET
                    "PatientFirstName" = COALESCE(
                        (SELECT p."FirstName" FROM "Appointment" a JOIN "Patient" p ON p."Id" = a."PatientId"
                         WHERE a."Id" = "CancellationNotice"."AppointmentId" AND trim(p."FirstName" || ' ' || p."LastName") = "CancellationNotice"."PatientName"),
                        CASE WHEN instr("PatientName", ' ') > 0 THEN substr("PatientName", 1, instr("PatientName", ' ') - 1) ELSE "PatientName" END),
                    "PatientLastName" = COALESCE(
                        (SELECT p."LastName" FROM "Appointment" a JOIN "Patient" p ON p."Id" = a."PatientId"
                         WHERE a."Id" = "CancellationNotice"."AppointmentId" AND trim(p."FirstName" || ' ' || p."LastName") = "CancellationNotice"."PatientName"),
                        CASE WHEN instr("PatientName", ' ') > 0 THEN ltrim(substr("PatientName", instr("PatientName", ' ') + 1)) ELSE '' END),
                    "CancelledByKind" = CASE
                        WHEN "CancelledBy" = 'the patient, online' THEN 'PatientOnline'
                        WHEN "CancelledByUserId" IS NOT NULL
                             AND "CancelledByUserId" = (SELECT pr."UserId" FROM "Practitioner" pr WHERE pr."Id" = "CancellationNotice"."PractitionerId") THEN 'Self'
                        WHEN "CancelledBy" LIKE '% at reception' THEN 'Reception'
                        ELSE 'Staff' END,
                    "ReasonCode" = CASE "Reason"
                        WHEN 'Feeling better' THEN 'FeelingBetter' WHEN 'Condition worse' THEN 'ConditionWorse' WHEN 'Sick' THEN 'Sick'
                        WHEN 'Away' THEN 'Away' WHEN 'Work' THEN 'Work' WHEN 'Other' THEN 'Other' END;
                """);

            // Who cancelled: reception kept only the first name ("Sam at reception"); a reason with no code is kept as the note.
            migrationBuilder.Sql("""
                UPDATE "CancellationNotice" SET
                    "CancelledByName" = CASE "CancelledByKind"
                        WHEN 'PatientOnline' THEN ''
                        WHEN 'Reception' THEN substr("CancelledBy", 1, length("CancelledBy") - length(' at reception'))
                        ELSE "CancelledBy" END,
                    "Note" = CASE WHEN "Reason" IS NOT NULL AND "ReasonCode" IS NULL THEN COALESCE("Note", "Reason") ELSE "Note" END;
                """);

            migrationBuilder.DropColumn(name: "PatientName", table: "CancellationNotice");
            migrationBuilder.DropColumn(name: "CancelledBy", table: "CancellationNotice");
            migrationBuilder.DropColumn(name: "Reason", table: "CancellationNotice");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "PatientName", table: "CancellationNotice", type: "TEXT", maxLength: 200, nullable: false, defaultValue: "");
            migrationBuilder.AddColumn<string>(name: "CancelledBy", table: "CancellationNotice", type: "TEXT", maxLength: 200, nullable: false, defaultValue: "");
            migrationBuilder.AddColumn<string>(name: "Reason", table: "CancellationNotice", type: "TEXT", maxLength: 50, nullable: true);

            migrationBuilder.Sql("""
                UPDATE "CancellationNotice" SET
                    "PatientName" = trim("PatientFirstName" || ' ' || "PatientLastName"),
                    "CancelledBy" = CASE "CancelledByKind"
                        WHEN 'PatientOnline' THEN 'the patient, online'
                        WHEN 'Reception' THEN CASE WHEN instr("CancelledByName", ' ') > 0 THEN substr("CancelledByName", 1, instr("CancelledByName", ' ') - 1) ELSE "CancelledByName" END || ' at reception'
                        ELSE "CancelledByName" END,
                    "Reason" = CASE "ReasonCode"
                        WHEN 'FeelingBetter' THEN 'Feeling better' WHEN 'ConditionWorse' THEN 'Condition worse' ELSE "ReasonCode" END;
                """);

            migrationBuilder.DropColumn(name: "PatientFirstName", table: "CancellationNotice");
            migrationBuilder.DropColumn(name: "PatientLastName", table: "CancellationNotice");
            migrationBuilder.DropColumn(name: "CancelledByKind", table: "CancellationNotice");
            migrationBuilder.DropColumn(name: "CancelledByName", table: "CancellationNotice");
            migrationBuilder.DropColumn(name: "ReasonCode", table: "CancellationNotice");
        }
    }
}

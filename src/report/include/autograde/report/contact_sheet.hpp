#pragma once
// The preview contact sheet of a grade (issue 25, `grade --preview sheet.png`): one row per
// shot, the shot's representative frame before | after its LUT, under a caption with the shot
// number, frames and the one-line reading of its Look. Drawn with cairo (text and layout);
// pictures are display code values.
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/pipeline/grade.hpp"

namespace autograde {

struct ContactSheetRow {
  ImageF before, after;  // 3 channels, display code values, the same size
  std::string caption;   // its own lines ('\n'), each wrapped to the sheet's width
};

// Rows stacked top to bottom, pictures at their own size (grade's samples: 256 wide).
ImageF contact_sheet(const std::vector<ContactSheetRow>& rows);

// The sheet of a grade: a row per shot (GradePreviewInputs, grade.hpp).
ImageF grade_contact_sheet(const GradePreviewInputs& inputs);

}  // namespace autograde
